import { QUEUE_SCHEMAS } from "@sorami/db";
import { Logger, type Runner, run, type TaskList } from "graphile-worker";
import type pg from "pg";
import { z } from "zod";
import { deliverWebhook } from "../webhooks/deliver";
import { TASKS } from "./catalog";
import { type GenerateDeps, runGenerateJob } from "./generate";

/** graphile-worker logs every job at info level; keep warnings and errors only. */
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`[queue] ${level}: ${message}`);
});

const idPayload = <K extends string>(key: K) => z.object({ [key]: z.string().min(1) } as Record<K, z.ZodString>);

export async function startWorker(
  pool: pg.Pool,
  deps: GenerateDeps & { concurrency: number; webhookSecrets: readonly string[]; sendLegacySecret: boolean },
): Promise<Runner> {
  const taskList: TaskList = {
    [TASKS.generate]: async (payload, helpers) => {
      const { jobId } = idPayload("jobId").parse(payload);
      await runGenerateJob(
        deps,
        jobId,
        { number: helpers.job.attempts, max: helpers.job.max_attempts },
        helpers.abortSignal,
      );
    },
    [TASKS.deliverWebhook]: async (payload) => {
      const { deliveryId } = idPayload("deliveryId").parse(payload);
      await deliverWebhook(deps.db, deliveryId, {
        secrets: deps.webhookSecrets,
        sendLegacySecret: deps.sendLegacySecret,
      });
    },
  };
  return run({
    pgPool: pool,
    schema: QUEUE_SCHEMAS.generator,
    concurrency: deps.concurrency,
    noHandleSignals: true,
    // New jobs arrive by LISTEN/NOTIFY at once; polling only catches scheduled retries.
    pollInterval: 1000,
    logger: quietLogger,
    taskList,
  });
}
