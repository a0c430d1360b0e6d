import { enqueue, QUEUE_SCHEMAS, type Tx } from "@sorami/db";

/**
 * The generator's queue tasks. Payloads carry ids only; the rows hold the rest.
 */
export const TASKS = {
  /** Run one job: provider call, storage, status webhooks. */
  generate: "generate",
  /** POST one signed webhook to the web app; retried on the Standard Webhooks schedule until a 2xx. */
  deliverWebhook: "deliver-webhook",
} as const;

export type GeneratePayload = { jobId: string };
export type DeliverWebhookPayload = { deliveryId: string };

/**
 * Queues a run of a job (now, or at `runAt` for a retry). One key per job, so
 * a job has at most one run waiting; maxAttempts covers only our own crashes,
 * the provider's failures are counted in generator.jobs.attempts.
 */
export async function enqueueGenerate(tx: Tx, jobId: string, runAt?: Date): Promise<void> {
  const payload: GeneratePayload = { jobId };
  await enqueue(tx, QUEUE_SCHEMAS.generator, TASKS.generate, payload, {
    jobKey: `generate:${jobId}`,
    maxAttempts: 5,
    runAt,
  });
}
