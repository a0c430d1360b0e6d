import { sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type Generation, generations, webhookEvents } from "../schema";
import { rowOf } from "./rows";

/**
 * Records a webhook event id and locks its job's row, in one statement: the
 * webhook receiver's first step, one round trip instead of two. The event is
 * inserted first and the row locked after, as two separate statements did.
 * `recorded` is false when the id was already there (a redelivery, applied
 * once already: the row is then not locked); `generation` is null when the
 * job is unknown. Run it in a transaction: the lock lasts until its end.
 */
export async function recordEventAndLockGeneration(
  tx: Tx,
  event: { id: string; jobId: string; status: string },
): Promise<{ recorded: boolean; generation: Generation | null }> {
  const { rows } = await tx.execute<Record<string, unknown>>(sql`
    with recorded as (
      insert into ${webhookEvents} (id, job_id, status) values (${event.id}, ${event.jobId}, ${event.status})
      on conflict do nothing
      returning id
    )
    select r.n as "__recorded", g.*
    from (select count(*)::int as n from recorded) as r
    left join lateral (select * from ${generations} where id = ${event.jobId} and r.n > 0 for update) as g on true`);
  const row = rows[0];
  const recorded = Number(row?.__recorded ?? 0) > 0;
  return { recorded, generation: recorded && row?.id ? rowOf(generations, row) : null };
}
