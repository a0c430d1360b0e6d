import { and, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type WebhookDelivery, webhookAttempts, webhookDeliveries } from "../schema";

/**
 * The generator's webhook deliveries as an operator reads them. A delivery
 * is `failing` while it is still pending after at least one attempt (a
 * retry is scheduled); `dead` when its schedule is spent; `disabled` when
 * the receiver answered 410.
 */
export const DELIVERY_PROBLEMS = ["failing", "dead", "disabled"] as const;
export type DeliveryProblem = (typeof DELIVERY_PROBLEMS)[number];

const d = webhookDeliveries;
const PROBLEM_CONDITIONS: Record<DeliveryProblem, SQL> = {
  failing: sql`(${d.state} = 'pending' and ${d.attempts} > 0)`,
  dead: sql`${d.state} = 'dead'`,
  disabled: sql`${d.state} = 'disabled'`,
};

export type DeliveryCounts = { pending: number } & Record<DeliveryProblem, number>;

/** How many deliveries wait (pending, never tried or retrying), are failing, dead or disabled. */
export async function deliveryCounts(db: Tx): Promise<DeliveryCounts> {
  const [row] = await db
    .select({
      pending: sql<string>`count(*) filter (where ${d.state} = 'pending')`,
      failing: sql<string>`count(*) filter (where ${PROBLEM_CONDITIONS.failing})`,
      dead: sql<string>`count(*) filter (where ${PROBLEM_CONDITIONS.dead})`,
      disabled: sql<string>`count(*) filter (where ${PROBLEM_CONDITIONS.disabled})`,
    })
    .from(d)
    .where(inArray(d.state, ["pending", "dead", "disabled"]));
  return {
    pending: Number(row?.pending ?? 0),
    failing: Number(row?.failing ?? 0),
    dead: Number(row?.dead ?? 0),
    disabled: Number(row?.disabled ?? 0),
  };
}

export type DeliveryAttemptRow = typeof webhookAttempts.$inferSelect;
export type DeliveryWithAttempts = WebhookDelivery & { attemptList: DeliveryAttemptRow[] };

async function withAttempts(db: Tx, deliveries: WebhookDelivery[]): Promise<DeliveryWithAttempts[]> {
  if (deliveries.length === 0) {
    return [];
  }
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(
      inArray(
        webhookAttempts.deliveryId,
        deliveries.map((x) => x.id),
      ),
    )
    .orderBy(webhookAttempts.deliveryId, webhookAttempts.attemptedAt, webhookAttempts.id);
  // Not Map.groupBy: Node 20 lacks it.
  const byDelivery = new Map<string, DeliveryAttemptRow[]>();
  for (const attempt of attempts) {
    byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
  }
  return deliveries.map((x) => ({ ...x, attemptList: byDelivery.get(x.id) ?? [] }));
}

export type DeliveryCursor = { createdAt: Date; id: string };

/** A page of deliveries in any of these problem states, newest first, each with its attempts. */
export async function listProblemDeliveries(
  db: Tx,
  opts: { problems: readonly DeliveryProblem[]; limit: number; cursor?: DeliveryCursor | null },
): Promise<{ rows: DeliveryWithAttempts[]; next: DeliveryCursor | null }> {
  const after = opts.cursor
    ? or(lt(d.createdAt, opts.cursor.createdAt), and(eq(d.createdAt, opts.cursor.createdAt), lt(d.id, opts.cursor.id)))
    : undefined;
  const rows = await db
    .select()
    .from(d)
    .where(and(or(...opts.problems.map((p) => PROBLEM_CONDITIONS[p])), after))
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return {
    rows: await withAttempts(db, page),
    next: rows.length > opts.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** Every delivery of one job, oldest first, each with its attempts. */
export async function deliveriesOfJob(db: Tx, jobId: string): Promise<DeliveryWithAttempts[]> {
  const rows = await db.select().from(d).where(eq(d.jobId, jobId)).orderBy(d.createdAt, d.id);
  return withAttempts(db, rows);
}

/** The job's deliveries an admin may send again as a batch: the failing, dead and disabled ones. */
export async function redeliverableOfJob(db: Tx, jobId: string): Promise<string[]> {
  const rows = await db
    .select({ id: d.id })
    .from(d)
    .where(and(eq(d.jobId, jobId), or(...DELIVERY_PROBLEMS.map((p) => PROBLEM_CONDITIONS[p]))))
    .orderBy(d.createdAt, d.id);
  return rows.map((r) => r.id);
}
