import type { UserEventData, UserEventType } from "@sorami/contracts";
import { and, asc, desc, eq, gt, lt, type SQLWrapper, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type UserEventRow, userEvents } from "../schema";

/** The NOTIFY channel every web process LISTENs on for users' live events. */
export const USER_EVENTS_CHANNEL = "sorami_user_events";
/** NOTIFY payloads must stay under 8000 bytes; bigger events are announced by id and read from the table. */
export const NOTIFY_PAYLOAD_MAX_BYTES = 7000;

/** What a NOTIFY on USER_EVENTS_CHANNEL carries: the event whole, or only its id when it is large. */
export type UserEventNotice = { id: number; u: string; t?: UserEventType; d?: Record<string, unknown> };

/** One event for `publishUserEvents`. */
export type UserEventInput = { [T in UserEventType]: { type: T; data: UserEventData<T> } }[UserEventType];

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
  const [id] = await publishUserEvents(tx, userId, [{ type, data } as UserEventInput]);
  if (id === undefined) {
    throw new Error("user event insert returned nothing");
  }
  return id;
}

/**
 * Stores a user's events, in this order, and announces each, in one
 * statement; `writes` (statements without results, e.g. the update the
 * events describe) run in that same statement first. Every status change of
 * every job comes through here: a round trip is measurable (see bench/).
 * The NOTIFY payload is the UserEventNotice: the whole event, or only its id
 * when NOTIFY could not carry it.
 */
export async function publishUserEvents(
  tx: Tx,
  userId: string,
  events: readonly UserEventInput[],
  writes: readonly SQLWrapper[] = [],
): Promise<number[]> {
  if (events.length === 0) {
    throw new Error("publishUserEvents needs at least one event");
  }
  const values = sql.join(
    events.map((e, i) => sql`(${i}::int, ${e.type}::text, ${JSON.stringify(e.data)}::jsonb)`),
    sql`, `,
  );
  const before = writes.map((w, i) => sql`${sql.raw(`write_${i}`)} as (${w.getSQL()}), `);
  const { rows } = await tx.execute<{ id: string | number }>(sql`
    with ${sql.join(before)} inserted as (
      insert into ${userEvents} (user_id, type, data)
      select ${userId}, t.type, t.data from (values ${values}) as t(ord, type, data) order by t.ord
      returning id, type, data
    )
    select i.id, pg_notify(${USER_EVENTS_CHANNEL},
      case when octet_length(n.whole) > ${NOTIFY_PAYLOAD_MAX_BYTES} then n.short else n.whole end)
    from (select * from inserted order by id) as i, lateral (
      select json_build_object('id', i.id, 'u', ${userId}::text, 't', i.type, 'd', i.data)::text as whole,
             json_build_object('id', i.id, 'u', ${userId}::text)::text as short
    ) as n`);
  if (rows.length !== events.length) {
    throw new Error("user event insert returned nothing");
  }
  return rows.map((r) => Number(r.id));
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
