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
 * visible together at commit, or not at all. One statement (insert, then
 * NOTIFY of what was inserted): every status change of every job comes
 * through here, and a round trip fewer is measurable (see bench/).
 */
export async function publishUserEvent<T extends UserEventType>(
  tx: Tx,
  userId: string,
  type: T,
  data: UserEventData<T>,
): Promise<number> {
  const json = JSON.stringify(data);
  // The notice is UserEventNotice: the whole event, or only its id when NOTIFY could not carry it.
  const { rows } = await tx.execute<{ id: string | number }>(sql`
    with inserted as (
      insert into ${userEvents} (user_id, type, data) values (${userId}, ${type}, ${json}::jsonb) returning id
    )
    select id, pg_notify(${USER_EVENTS_CHANNEL},
      case when octet_length(notice.whole) > ${NOTIFY_PAYLOAD_MAX_BYTES} then notice.short else notice.whole end)
    from inserted, lateral (
      select json_build_object('id', id, 'u', ${userId}::text, 't', ${type}::text, 'd', ${json}::json)::text as whole,
             json_build_object('id', id, 'u', ${userId}::text)::text as short
    ) as notice`);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error("user event insert returned nothing");
  return Number(id);
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
