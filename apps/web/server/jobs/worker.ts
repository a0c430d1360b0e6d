import { EVENTS_RETENTION_HOURS } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { pruneUserEvents } from "@sorami/db/queries/events";
import { type QueueRunner, startQueueRunner } from "@sorami/db/runner";
import { enqueueTask, taskList } from "@sorami/db/tasks";
import { env } from "../../env";
import { db, pool, storage } from "../db";
import { generator } from "../generator-client";
import { withLogContext } from "../log";
import { signedMediaUrl } from "../media/links";
import { fetchRemoteFile } from "../media/remote";
import { screenGenerationFiles } from "../moderation/screen";
import { propagateCancel } from "./cancel";
import { purgeDeletedGeneration } from "./delete";
import { dispatchGeneration } from "./dispatch";
import { reconcileOnce } from "./reconcile";
import { WEB_TASKS } from "./tasks";

const g = globalThis as unknown as { __soramiWebQueue?: Promise<QueueRunner> };

/** Queues the next reconciler run. */
async function scheduleReconcile(delaySeconds: number): Promise<void> {
  await enqueueTask(db(), WEB_TASKS.reconcile, {}, { runAt: new Date(Date.now() + delaySeconds * 1000) });
}

/** The web app's queue worker, started once per process (from instrumentation.ts). */
export function startWebWorker(): Promise<QueueRunner> {
  const e = env();
  g.__soramiWebQueue ??= startQueueRunner({
    name: "web-queue",
    pool: pool(),
    db: db(),
    schema: QUEUE_SCHEMAS.web,
    concurrency: e.workerConcurrency,
    staleAfterMs: e.queueStaleAfterMs,
    taskList: taskList(
      WEB_TASKS,
      {
        dispatch: ({ jobId }) =>
          dispatchGeneration(db(), jobId, {
            generator: generator(),
            handover: {
              storage: storage(),
              signedMediaUrl: (key) => signedMediaUrl(key),
              inputImageAllowedHosts: e.inputImageAllowedHosts,
            },
          }),
        cancel: ({ jobId }) => propagateCancel(jobId, generator()),
        purge: ({ jobId }) => purgeDeletedGeneration(db(), storage(), jobId),
        screen: async ({ jobId }, { log }) => {
          const deps = { db: db(), storage: storage(), generator: generator(), threshold: e.moderation.threshold };
          const counts = await screenGenerationFiles(deps, jobId);
          if (counts.held > 0) {
            log("info", "files_held", counts);
          }
        },
        fetchRemoteFile: ({ fileId }, { attempt, signal }) =>
          fetchRemoteFile(db(), storage(), fileId, {
            allowHosts: e.remoteMediaAllowedHosts,
            attempt,
            maxAttempts: WEB_TASKS.fetchRemoteFile.maxAttempts,
            signal,
          }),
        reconcile: async (_payload, { log }) => {
          try {
            // Pruning runs whatever the repairs did (reconcileOnce only throws when it cannot even list the jobs).
            const report = await reconcileOnce(db(), {
              generator: generator(),
              ...e.reconcile,
              screening: e.moderation.threshold !== null,
            }).catch((error: unknown) => {
              log("error", "reconcile_failed", { error: error instanceof Error ? error.message : String(error) });
              return null;
            });
            if (report && report.checked > 0) {
              log("info", "reconciled", report);
            }
            await pruneUserEvents(db(), new Date(Date.now() - EVENTS_RETENTION_HOURS * 3600_000));
          } finally {
            await scheduleReconcile(e.reconcile.intervalSeconds);
          }
        },
      },
      {
        // Code deep in a task (dispatch, the generator client) logs with the task's ids, and
        // a dispatch carries the submit's request id on to the generator.
        around: (ctx, run, payload) =>
          withLogContext(
            { logger: ctx.logger, requestId: typeof payload.requestId === "string" ? payload.requestId : undefined },
            run,
          ),
      },
    ),
  }).then(async (queue) => {
    await scheduleReconcile(e.reconcile.intervalSeconds);
    return queue;
  });
  return g.__soramiWebQueue;
}

export function webWorkerStarted(): Promise<QueueRunner> | undefined {
  return g.__soramiWebQueue;
}
