import { QUEUE_SCHEMAS } from "@sorami/db";
import { Logger, type Runner, run } from "graphile-worker";
import { z } from "zod";
import { env } from "../../env";
import { db, pool, storage } from "../db";
import { WEB_TASKS } from "./catalog";
import { dispatchGeneration } from "./dispatch";

const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[web-queue] ${level}: ${message}`);
});

const g = globalThis as unknown as { __soramiWebRunner?: Promise<Runner>; __soramiWebRunnerAlive?: boolean };

/** The web app's queue worker, started once per process (from instrumentation.ts). */
export function startWebWorker(): Promise<Runner> {
  g.__soramiWebRunner ??= startRunner();
  return g.__soramiWebRunner;
}

async function startRunner(): Promise<Runner> {
  const runner = await run({
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
        await dispatchGeneration(db(), jobId, {
          generatorUrl: e.generatorUrl,
          serviceKey: e.serviceKey,
          storage: storage(),
        });
      },
    },
  });
  g.__soramiWebRunnerAlive = true;
  // A worker that stops on its own must show in /api/health.
  runner.promise.then(
    () => (g.__soramiWebRunnerAlive = false),
    (error) => {
      console.error("[web] queue worker crashed:", error);
      g.__soramiWebRunnerAlive = false;
    },
  );
  return runner;
}

export function webWorkerStarted(): Promise<Runner> | undefined {
  return g.__soramiWebRunner;
}

export function webWorkerAlive(): boolean {
  return g.__soramiWebRunnerAlive === true;
}
