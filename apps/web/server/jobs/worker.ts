import { EVENTS_RETENTION_HOURS } from "@sorami/contracts";
import { enqueue, QUEUE_SCHEMAS } from "@sorami/db";
import { pruneUserEvents } from "@sorami/db/queries/events";
import { type QueueRunner, startQueueRunner } from "@sorami/db/runner";
import { z } from "zod";
import { env } from "../../env";
import { db, pool, storage } from "../db";
import { propagateCancel } from "./cancel";
import { WEB_TASKS } from "./catalog";
import { purgeDeletedGeneration } from "./delete";
import { dispatchGeneration } from "./dispatch";
import { reconcileOnce } from "./reconcile";

const g = globalThis as unknown as { __soramiWebQueue?: Promise<QueueRunner> };
const jobIdPayload = z.object({ jobId: z.string().min(1) });

/** Queues the next reconciler run; one key, so however many web processes run there is one run queued. */
async function scheduleReconcile(delaySeconds: number): Promise<void> {
  await enqueue(
    db(),
    QUEUE_SCHEMAS.web,
    WEB_TASKS.reconcile,
    {},
    {
      jobKey: "reconcile",
      runAt: new Date(Date.now() + delaySeconds * 1000),
    },
  );
}

/** The web app's queue worker, started once per process (from instrumentation.ts). */
export function startWebWorker(): Promise<QueueRunner> {
  const e = env();
  const generator = { generatorUrl: e.generatorUrl, serviceKey: e.serviceKey };
  g.__soramiWebQueue ??= startQueueRunner({
    name: "web-queue",
    pool: pool(),
    db: db(),
    schema: QUEUE_SCHEMAS.web,
    concurrency: e.workerConcurrency,
    staleAfterMs: e.queueStaleAfterMs,
    taskList: {
      [WEB_TASKS.dispatch]: async (payload) => {
        await dispatchGeneration(db(), jobIdPayload.parse(payload).jobId, { ...generator, storage: storage() });
      },
      [WEB_TASKS.cancel]: async (payload) => {
        await propagateCancel(jobIdPayload.parse(payload).jobId, generator);
      },
      [WEB_TASKS.purge]: async (payload) => {
        await purgeDeletedGeneration(db(), storage(), jobIdPayload.parse(payload).jobId);
      },
      [WEB_TASKS.reconcile]: async () => {
        try {
          // Pruning runs whatever the repairs did (reconcileOnce only throws when it cannot even list the jobs).
          const report = await reconcileOnce(db(), { ...generator, ...e.reconcile }).catch((error: unknown) => {
            console.error("[reconcile] run failed:", error);
            return null;
          });
          if (report && report.checked > 0) {
            console.info(`[reconcile] ${JSON.stringify(report)}`);
          }
          await pruneUserEvents(db(), new Date(Date.now() - EVENTS_RETENTION_HOURS * 3600_000));
        } finally {
          await scheduleReconcile(e.reconcile.intervalSeconds);
        }
      },
    },
  }).then(async (queue) => {
    await scheduleReconcile(e.reconcile.intervalSeconds);
    return queue;
  });
  return g.__soramiWebQueue;
}

export function webWorkerStarted(): Promise<QueueRunner> | undefined {
  return g.__soramiWebQueue;
}
