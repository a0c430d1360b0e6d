import { QUEUE_SCHEMAS } from "@sorami/db";
import { type QueueRunner, startQueueRunner } from "@sorami/db/runner";
import { z } from "zod";
import { env } from "../../env";
import { db, pool, storage } from "../db";
import { WEB_TASKS } from "./catalog";
import { dispatchGeneration } from "./dispatch";

const g = globalThis as unknown as { __soramiWebQueue?: Promise<QueueRunner> };

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
    taskList: {
      [WEB_TASKS.dispatch]: async (payload) => {
        const { jobId } = z.object({ jobId: z.string().min(1) }).parse(payload);
        await dispatchGeneration(db(), jobId, {
          generatorUrl: e.generatorUrl,
          serviceKey: e.serviceKey,
          storage: storage(),
        });
      },
    },
  });
  return g.__soramiWebQueue;
}

export function webWorkerStarted(): Promise<QueueRunner> | undefined {
  return g.__soramiWebQueue;
}
