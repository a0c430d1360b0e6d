import { type JobKind, KIND_INFO, type WebhookPayload, type WireStatus } from "@sorami/contracts";
import { newWebhookId } from "@sorami/contracts/signature";
import { addJobCall, type GeneratorJob, type Tx } from "@sorami/db";
import { advanceGeneratorJob } from "@sorami/db/queries/generator-jobs";
import { deliveryJob } from "./deliver";

export type EmitOptions = { webUrl: string; kind: JobKind; event: WireStatus; payload: WebhookPayload };

/**
 * Moves a job that has not ended to `patch.status` and announces it, in one
 * statement, atomic on its own: no transaction and one round trip per stage
 * instead of four. The event is stored with the exact body every attempt
 * sends, and its first attempt is queued only if it was stored: (job, event)
 * is unique, so a job re-run after a crash announces each status once. Returns the updated row, or null
 * when the job had already ended (canceled meanwhile): then nothing is
 * written or announced.
 */
export async function advanceJob(
  db: Tx,
  patch: Partial<Pick<GeneratorJob, "status" | "error" | "result" | "completedAt">> & { bumpAttempts?: boolean },
  opts: EmitOptions,
): Promise<GeneratorJob | null> {
  const delivery = {
    id: newWebhookId(),
    event: opts.event,
    url: `${opts.webUrl}${KIND_INFO[opts.kind].webhookPath}`,
    body: JSON.stringify(opts.payload),
  };
  return advanceGeneratorJob(db, opts.payload.job_id, patch, {
    delivery,
    queueAttempt: addJobCall(...deliveryJob(delivery.id)),
  });
}
