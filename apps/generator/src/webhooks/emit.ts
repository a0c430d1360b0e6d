import { type JobKind, KIND_INFO, type WebhookPayload, type WireStatus } from "@sorami/contracts";
import { newWebhookId } from "@sorami/contracts/signature";
import { addJobCall, schema, type Tx } from "@sorami/db";
import { sql } from "drizzle-orm";
import { deliveryJob } from "./deliver";

/**
 * Records a webhook event and queues its delivery, in the caller's
 * transaction. (job, event) is unique: a job re-run after a crash announces
 * each status once, and the stored body is what every retry sends.
 */
export async function emitWebhook(
  tx: Tx,
  opts: { webUrl: string; kind: JobKind; event: WireStatus; payload: WebhookPayload },
): Promise<void> {
  const id = newWebhookId();
  const inserted = tx.$with("inserted").as(
    tx
      .insert(schema.webhookDeliveries)
      .values({
        id,
        jobId: opts.payload.job_id,
        event: opts.event,
        url: `${opts.webUrl}${KIND_INFO[opts.kind].webhookPath}`,
        body: JSON.stringify(opts.payload),
      })
      .onConflictDoNothing()
      .returning({ id: schema.webhookDeliveries.id }),
  );
  // The row and its first attempt's queue job in one statement: the job is added only if the row was.
  await tx
    .with(inserted)
    .select({ queued: sql`${addJobCall(...deliveryJob(id))}` })
    .from(inserted);
}
