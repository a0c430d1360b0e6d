import { type JobKind, KIND_INFO, TERMINAL_STATUSES, type WebhookPayload, type WireStatus } from "@sorami/contracts";
import { newWebhookId } from "@sorami/contracts/signature";
import { addJobCall, type GeneratorJob, schema, type Tx } from "@sorami/db";
import { rowOf } from "@sorami/db/queries/rows";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { deliveryJob } from "./deliver";

export type EmitOptions = { webUrl: string; kind: JobKind; event: WireStatus; payload: WebhookPayload };

/** The stored delivery of one event: its id, target and the exact body every attempt sends. */
function deliveryOf(opts: EmitOptions) {
  return {
    id: newWebhookId(),
    jobId: opts.payload.job_id,
    event: opts.event,
    url: `${opts.webUrl}${KIND_INFO[opts.kind].webhookPath}`,
    body: JSON.stringify(opts.payload),
  };
}

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
  const { generatorJobs, webhookDeliveries } = schema;
  const { bumpAttempts, ...fields } = patch;
  const delivery = deliveryOf(opts);
  const update = db
    .update(generatorJobs)
    .set({
      ...fields,
      updatedAt: new Date(),
      ...(bumpAttempts ? { attempts: sql`${generatorJobs.attempts} + 1` } : {}),
    })
    .where(and(eq(generatorJobs.id, delivery.jobId), notInArray(generatorJobs.status, [...TERMINAL_STATUSES])))
    .returning();
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    with updated as (${update.getSQL()}),
    inserted as (
      insert into ${webhookDeliveries} (id, job_id, event, url, body)
      select ${delivery.id}, ${delivery.jobId}, ${delivery.event}, ${delivery.url}, ${delivery.body} from updated
      on conflict do nothing
      returning id
    )
    select updated.*, (select ${addJobCall(...deliveryJob(delivery.id))} from inserted) is not null as "__queued"
    from updated`);
  const row = rows[0];
  return row ? rowOf(generatorJobs, row) : null;
}
