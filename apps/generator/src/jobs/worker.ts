import { type Database, QUEUE_SCHEMAS } from "@sorami/db";
import { type QueueRunner, startQueueRunner } from "@sorami/db/runner";
import { taskList } from "@sorami/db/tasks";
import type pg from "pg";
import { deliverWebhook } from "../webhooks/deliver";
import { type GenerateDeps, runGenerateJob } from "./generate";
import { GENERATOR_TASKS } from "./tasks";

export async function startWorker(
  pool: pg.Pool,
  deps: GenerateDeps & {
    db: Database;
    concurrency: number;
    webhookSecrets: readonly string[];
    sendLegacySecret: boolean;
    staleAfterMs: number;
    webhookRetrySchedule?: readonly number[];
  },
): Promise<QueueRunner> {
  return startQueueRunner({
    name: "generator-queue",
    pool,
    db: deps.db,
    schema: QUEUE_SCHEMAS.generator,
    concurrency: deps.concurrency,
    taskList: taskList(GENERATOR_TASKS, {
      generate: ({ jobId }, ctx) => runGenerateJob(deps, jobId, ctx),
      deliverWebhook: ({ deliveryId }, ctx) =>
        deliverWebhook(deps.db, deliveryId, {
          secrets: deps.webhookSecrets,
          sendLegacySecret: deps.sendLegacySecret,
          scheduleSeconds: deps.webhookRetrySchedule,
          log: ctx.logger,
        }),
    }),
    staleAfterMs: deps.staleAfterMs,
  });
}
