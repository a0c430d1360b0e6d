import { and, desc, eq, ilike, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { generationIsActive, generations, sessions, users } from "../schema";

/**
 * Users as the admin console reads and changes them. Disabling a user sets
 * `users.disabled_at` and deletes their sessions in one transaction (each
 * delete NOTIFYs `sorami_session_ended`, so their open streams close at
 * once); roles change under one advisory lock so two admins demoting each
 * other at once cannot leave none.
 */

export type AdminUserRow = {
  id: string;
  name: string;
  email: string;
  role: string;
  disabledAt: Date | null;
  createdAt: Date;
  jobs: number;
  activeJobs: number;
  sessions: number;
};

/** The key of the advisory lock every role change and disable takes (any constant; this one spells "admin"). */
const ADMIN_ROLES_LOCK = 0x61646d696e;

function selectUsers(db: Tx) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      jobs: sql<string>`(select count(*) from ${generations} g where g.author_id = ${users.id} and g.deleted_at is null)`,
      activeJobs: sql<string>`(select count(*) from ${generations} where ${generations.authorId} = ${users.id} and ${generationIsActive})`,
      sessions: sql<string>`(select count(*) from ${sessions} s where s.user_id = ${users.id} and s.expires_at > now())`,
    })
    .from(users);
}

type Selected = Omit<AdminUserRow, "jobs" | "activeJobs" | "sessions"> & {
  jobs: string;
  activeJobs: string;
  sessions: string;
};
const toRow = (r: Selected): AdminUserRow => ({
  ...r,
  jobs: Number(r.jobs),
  activeJobs: Number(r.activeJobs),
  sessions: Number(r.sessions),
});

/** `%`, `_` and `\` are taken literally in a search. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A keyset page of users, newest first, optionally those whose email or name contains `q`. */
export async function listAdminUsers(
  db: Tx,
  opts: { q?: string; limit: number; cursor?: { createdAt: Date; id: string } | null },
): Promise<{ rows: AdminUserRow[]; next: { createdAt: Date; id: string } | null }> {
  const where: (SQL | undefined)[] = [];
  if (opts.q) {
    where.push(or(ilike(users.email, likePattern(opts.q)), ilike(users.name, likePattern(opts.q))));
  }
  if (opts.cursor) {
    where.push(
      or(
        lt(users.createdAt, opts.cursor.createdAt),
        and(eq(users.createdAt, opts.cursor.createdAt), lt(users.id, opts.cursor.id)),
      ),
    );
  }
  const rows = await selectUsers(db)
    .where(and(...where))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(opts.limit + 1);
  const shown = rows.slice(0, opts.limit).map(toRow);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > opts.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function getAdminUser(db: Tx, id: string): Promise<AdminUserRow | null> {
  const [row] = await selectUsers(db).where(eq(users.id, id));
  return row ? toRow(row) : null;
}

/** Takes the role-change lock for the rest of the caller's transaction. */
export async function lockAdminRoles(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_ROLES_LOCK})`);
}

/** Admins who can act (not disabled), other than `exceptId`. */
export async function countOtherActiveAdmins(tx: Tx, exceptId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<string>`count(*)` })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), sql`${users.id} <> ${exceptId}`));
  return Number(row?.n ?? 0);
}

/** Sets the flag (false when the user is missing or already disabled) and deletes every session of theirs. */
export async function disableUser(tx: Tx, id: string, at: Date): Promise<{ disabled: boolean; sessionsEnded: number }> {
  const updated = await tx
    .update(users)
    .set({ disabledAt: at, updatedAt: at })
    .where(and(eq(users.id, id), isNull(users.disabledAt)))
    .returning({ id: users.id });
  const ended = await tx.delete(sessions).where(eq(sessions.userId, id)).returning({ id: sessions.id });
  return { disabled: updated.length > 0, sessionsEnded: ended.length };
}

/** Clears the flag; false when the user is missing or was not disabled. */
export async function enableUser(tx: Tx, id: string, at: Date): Promise<boolean> {
  const updated = await tx
    .update(users)
    .set({ disabledAt: null, updatedAt: at })
    .where(and(eq(users.id, id), sql`${users.disabledAt} is not null`))
    .returning({ id: users.id });
  return updated.length > 0;
}

/**
 * Sets a user's role, and announces the end of their open streams' sessions
 * (without ending the sessions): a stream carries admin events by the role
 * it was opened with, so it reopens with the new one.
 */
export async function setUserRole(tx: Tx, id: string, role: "admin" | "user", at: Date): Promise<boolean> {
  const updated = await tx
    .update(users)
    .set({ role, updatedAt: at })
    .where(eq(users.id, id))
    .returning({ id: users.id });
  if (updated.length === 0) {
    return false;
  }
  await tx.execute(sql`select pg_notify('sorami_session_ended', json_build_object('s', s.id, 'u', s.user_id)::text)
    from ${sessions} s where s.user_id = ${id}`);
  return true;
}

/** A user's unfinished jobs (what disabling cancels). */
export async function activeJobIdsOf(db: Tx, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: generations.id })
    .from(generations)
    .where(and(eq(generations.authorId, userId), generationIsActive, isNull(generations.deletedAt)));
  return rows.map((r) => r.id);
}
