import { type Database, QUEUE_SCHEMAS } from "@sorami/db";
import { type QueueRunner, startQueueRunner } from "@sorami/db/runner";
import type { TaskList } from "graphile-worker";
import type pg from "pg";
import { z } from "zod";
import { deliverWebhook } from "../webhooks/deliver";
import { TASKS } from "./catalog";
import { type GenerateDeps, runGenerateJob } from "./generate";

const idPayload = <K extends string>(key: K) => z.object({ [key]: z.string().min(1) } as Record<K, z.ZodString>);

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
  const taskList: TaskList = {
    [TASKS.generate]: async (payload, helpers) => {
      const { jobId } = idPayload("jobId").parse(payload);
      await runGenerateJob(deps, jobId, helpers.abortSignal);
    },
    [TASKS.deliverWebhook]: async (payload) => {
      const { deliveryId } = idPayload("deliveryId").parse(payload);
      await deliverWebhook(deps.db, deliveryId, {
        secrets: deps.webhookSecrets,
        sendLegacySecret: deps.sendLegacySecret,
        scheduleSeconds: deps.webhookRetrySchedule,
      });
    },
  };
  return startQueueRunner({
    name: "generator-queue",
    pool,
    db: deps.db,
    schema: QUEUE_SCHEMAS.generator,
    concurrency: deps.concurrency,
    taskList,
    staleAfterMs: deps.staleAfterMs,
  });
}
