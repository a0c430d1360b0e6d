import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { sessions, users } from "../schema";
import { prepared } from "./prepared";

/**
 * The NOTIFY channel a session's end is announced on (migration
 * 0007_session_ended_notify: a trigger on every delete of a session, and on an
 * expiry moved into the past), payload `SessionEndedNotice`.
 */
export const SESSION_ENDED_CHANNEL = "sorami_session_ended";
export type SessionEndedNotice = { s: string; u: string };

/**
 * A sign-in session by its token, with the user it belongs to, in one query
 * (better-auth's tables; better-auth itself reads them in two). A disabled
 * user's session is not found (disabling deletes them too: this holds even
 * for one created in a race with it).
 */
export async function findSessionWithUser(
  db: Tx,
  token: string,
): Promise<{
  sessionId: string;
  expiresAt: Date;
  user: { id: string; name: string; email: string; role: string };
} | null> {
  const query = prepared(db, "session_with_user", () =>
    db
      .select({
        sessionId: sessions.id,
        expiresAt: sessions.expiresAt,
        id: users.id,
        name: users.name,
        email: users.email,
        role: users.role,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.token, sql.placeholder("token")), isNull(users.disabledAt)))
      .limit(1)
      .prepare("session_with_user"),
  );
  const [row] = await query.execute({ token });
  if (!row) {
    return null;
  }
  const { sessionId, expiresAt, ...user } = row;
  return { sessionId, expiresAt, user };
}

/**
 * Of these sessions, the ones still live: not deleted (signed out, revoked),
 * not expired at `now`, their user still there and not disabled. Disabling a
 * user deletes their sessions, which the trigger announces at once; the flag
 * here is what the periodic recheck sees should a session outlive that.
 */
export async function liveSessionIds(db: Tx, ids: readonly string[], now: Date): Promise<string[]> {
  if (ids.length === 0) {
    return [];
  }
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(inArray(sessions.id, [...ids]), gt(sessions.expiresAt, now), isNull(users.disabledAt)));
  return rows.map((r) => r.id);
}

/** Whether a user is disabled (the sign-in hook refuses them a session). */
export async function isUserDisabled(db: Tx, userId: string): Promise<boolean> {
  const [row] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId));
  return Boolean(row?.disabledAt);
}
