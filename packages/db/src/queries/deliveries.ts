import { laterEvents, WIRE_STATUSES } from "@sorami/contracts";
import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type WebhookDelivery, webhookAttempts, webhookDeliveries } from "../schema";

/**
 * Whether a progress delivery is stale, as a column of the delivery's own
 * read (no round trip of its own): it has waited `supersedeAfterMs` and the
 * same job has a delivery of a later event (which the receiver applies
 * whatever became of this one, and after which it would ignore this one as
 * going backwards). An event key is its stage, or `stage:<id>` for a
 * provider's progress within a stage: a later stage is later, and so is a
 * newer announcement of the same stage. A terminal event is never
 * superseded. The database's clock on both sides: the generator's may
 * differ. Built once per wait.
 */
const supersededColumns = new Map<number, SQL<boolean>>();
function supersededColumn(supersedeAfterMs: number): SQL<boolean> {
  const built = supersededColumns.get(supersedeAfterMs);
  if (built) {
    return built;
  }
  const d = webhookDeliveries;
  // Qualified by hand: Drizzle leaves a one-table select's columns unqualified, and inside the
  // subquery they would name its own rows.
  const outer = (column: string) => sql.raw(`"webhook_deliveries"."${column}"`);
  const list = (events: readonly string[]) =>
    sql`array[${sql.join(
      events.map((e) => sql`${e}`),
      sql`, `,
    )}]::text[]`;
  const order = list(WIRE_STATUSES);
  const progress = list(WIRE_STATUSES.filter((e) => laterEvents(e).length > 0));
  const stage = (event: SQL) => sql`split_part(${event}, ':', 1)`;
  const mine = stage(outer("event"));
  const theirs = stage(sql`later.event`);
  const column = sql<boolean>`(${mine} = any(${progress})
    and ${outer("created_at")} < now() - make_interval(secs => ${supersedeAfterMs / 1000})
    and exists (
      select 1 from ${d} as later
      where later.job_id = ${outer("job_id")} and later.id <> ${outer("id")}
        and (array_position(${order}, ${theirs}) > array_position(${order}, ${mine})
          or (${theirs} = ${mine} and later.created_at > ${outer("created_at")}))
    ))`;
  supersededColumns.set(supersedeAfterMs, column);
  return column;
}

/** A delivery about to be attempted, and whether a later event of its job made it stale. */
export async function getDeliveryForAttempt(
  db: Tx,
  id: string,
  supersedeAfterMs: number,
): Promise<(WebhookDelivery & { superseded: boolean }) | null> {
  const [delivery] = await db
    .select({ ...getTableColumns(webhookDeliveries), superseded: supersededColumn(supersedeAfterMs) })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, id));
  return delivery ?? null;
}

/** Marks a pending delivery superseded (not sent: a later event of its job carries the news). */
export async function markDeliverySuperseded(db: Tx, id: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ state: "superseded" })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.state, "pending")));
}

/**
 * Records one attempt and the delivery's new state in one statement, atomic
 * on its own: every status change of every job ends here, and three round
 * trips fewer per delivery show in the bench.
 */
export async function recordDeliveryAttempt(
  tx: Tx,
  id: string,
  attempt: {
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    state: WebhookDelivery["state"];
    deliveredAt?: Date;
  },
): Promise<void> {
  const inserted = tx.$with("attempt").as(
    tx
      .insert(webhookAttempts)
      .values({
        deliveryId: id,
        statusCode: attempt.statusCode,
        error: attempt.error,
        durationMs: attempt.durationMs,
      })
      .returning({ id: webhookAttempts.id }),
  );
  await tx
    .with(inserted)
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastStatusCode: attempt.statusCode,
      lastError: attempt.error,
      state: attempt.state,
      ...(attempt.deliveredAt ? { deliveredAt: attempt.deliveredAt } : {}),
    })
    .where(eq(webhookDeliveries.id, id));
}

/** Puts a delivery back to pending (an admin's redelivery); false when there is none with this id. */
export async function markDeliveryPending(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx
    .update(webhookDeliveries)
    .set({ state: "pending" })
    .where(eq(webhookDeliveries.id, id))
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}
