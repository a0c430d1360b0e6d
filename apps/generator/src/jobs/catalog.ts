/**
 * The generator's queue tasks. Payloads carry ids only; the rows hold the rest.
 */
export const TASKS = {
  /** Run one job: provider call, storage, status webhooks. */
  generate: "generate",
  /** POST one signed webhook to the web app; retried with backoff until a 2xx. */
  deliverWebhook: "deliver-webhook",
} as const;

export type GeneratePayload = { jobId: string };
export type DeliverWebhookPayload = { deliveryId: string };
