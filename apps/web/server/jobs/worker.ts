import { QUEUE_SCHEMAS } from "@sorami/db";
import { Logger, run, type Runner } from "graphile-worker";
import { z } from "zod";
import { env } from "../../env";
import { db, pool } from "../db";
import { WEB_TASKS } from "./catalog";
import { dispatchGeneration } from "./dispatch";

const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[web-queue] ${level}: ${message}`);
});

const g = globalThis as unknown as { __soramiWebRunner?: Promise<Runner> };

/** The web app's queue worker, started once per process (from instrumentation.ts). */
export function startWebWorker(): Promise<Runner> {
  g.__soramiWebRunner ??= run({
    pgPool: pool(),
    schema: QUEUE_SCHEMAS.web,
    concurrency: env().workerConcurrency,
    noHandleSignals: true,
    // New jobs arrive by LISTEN/NOTIFY at once; polling only catches scheduled retries.
    pollInterval: 1000,
    logger: quietLogger,
    taskList: {
      [WEB_TASKS.dispatch]: async (payload) => {
        const { jobId } = z.object({ jobId: z.string().min(1) }).parse(payload);
        const e = env();
        await dispatchGeneration(db(), jobId, { generatorUrl: e.generatorUrl, serviceKey: e.serviceKey });
      },
    },
  });
  return g.__soramiWebRunner;
}

export function webWorkerStarted(): Promise<Runner> | undefined {
  return g.__soramiWebRunner;
}
