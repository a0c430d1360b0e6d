import type { UserEventData, UserEventType } from "@sorami/contracts";
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type UserEventRow, userEvents } from "../schema";

/** The NOTIFY channel every web process LISTENs on for users' live events. */
export const USER_EVENTS_CHANNEL = "sorami_user_events";
/** NOTIFY payloads must stay under 8000 bytes; bigger events are announced by id and read from the table. */
export const NOTIFY_PAYLOAD_MAX_BYTES = 7000;

/** What a NOTIFY on USER_EVENTS_CHANNEL carries: the event whole, or only its id when it is large. */
export type UserEventNotice = { id: number; u: string; t?: UserEventType; d?: Record<string, unknown> };

/**
 * Stores one event for a user's live stream and announces it. Call it inside
 * the transaction that makes the change: the row and the NOTIFY become
 * visible together at commit, or not at all.
 */
export async function publishUserEvent<T extends UserEventType>(
  tx: Tx,
  userId: string,
  type: T,
  data: UserEventData<T>,
): Promise<number> {
  const [row] = await tx
    .insert(userEvents)
    .values({ userId, type, data: data as Record<string, unknown> })
    .returning({ id: userEvents.id });
  if (!row) throw new Error("user event insert returned nothing");
  let notice = JSON.stringify({ id: row.id, u: userId, t: type, d: data } satisfies UserEventNotice);
  if (Buffer.byteLength(notice) > NOTIFY_PAYLOAD_MAX_BYTES) notice = JSON.stringify({ id: row.id, u: userId });
  await tx.execute(sql`select pg_notify(${USER_EVENTS_CHANNEL}, ${notice})`);
  return row.id;
}

/** The user's stored events after `afterId`, oldest first. */
export async function listUserEventsAfter(db: Tx, userId: string, afterId: number, limit: number) {
  return db
    .select()
    .from(userEvents)
    .where(and(eq(userEvents.userId, userId), gt(userEvents.id, afterId)))
    .orderBy(asc(userEvents.id))
    .limit(limit);
}

export async function getUserEvent(db: Tx, id: number): Promise<UserEventRow | null> {
  const [row] = await db.select().from(userEvents).where(eq(userEvents.id, id));
  return row ?? null;
}

/** The id of the user's newest stored event, or null when there is none. */
export async function latestUserEventId(db: Tx, userId: string): Promise<number | null> {
  const [row] = await db
    .select({ id: userEvents.id })
    .from(userEvents)
    .where(eq(userEvents.userId, userId))
    .orderBy(desc(userEvents.id))
    .limit(1);
  return row?.id ?? null;
}

/** Deletes events older than `before`; returns how many. */
export async function pruneUserEvents(db: Tx, before: Date): Promise<number> {
  const result = await db.delete(userEvents).where(lt(userEvents.createdAt, before));
  return result.rowCount ?? 0;
}
