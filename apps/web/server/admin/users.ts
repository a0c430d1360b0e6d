import {
  type AdminUser,
  type AdminUsersQuery,
  AppError,
  decodeKeysetCursor,
  encodeKeysetCursor,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { recordAdminAction } from "@sorami/db/queries/admin-jobs";
import {
  type AdminUserRow,
  activeJobIdsOf,
  countOtherActiveAdmins,
  disableUser as disableUserRow,
  enableUser as enableUserRow,
  getAdminUser,
  listAdminUsers,
  lockAdminRoles,
  setUserRole as setUserRoleRow,
} from "@sorami/db/queries/admin-users";
import { lockGeneration } from "@sorami/db/queries/generations";
import { cancelLocked } from "../jobs/cancel";
import type { SessionUser } from "../session";

export function adminUserView(u: AdminUserRow): AdminUser {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role === "admin" ? "admin" : "user",
    disabled_at: u.disabledAt?.toISOString() ?? null,
    created_at: u.createdAt.toISOString(),
    jobs: u.jobs,
    active_jobs: u.activeJobs,
    sessions: u.sessions,
  };
}

export async function listUsersForAdmin(db: Database, query: AdminUsersQuery) {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const { rows, next } = await listAdminUsers(db, {
    q: query.q,
    limit: query.limit,
    cursor: cursor ? { createdAt: cursor.at, id: cursor.id } : null,
  });
  return {
    users: rows.map(adminUserView),
    next_cursor: next ? encodeKeysetCursor({ at: next.createdAt, id: next.id }) : null,
  };
}

async function userOr404(db: Database, id: string): Promise<AdminUserRow> {
  const user = await getAdminUser(db, id);
  if (!user) {
    throw new AppError("not_found", "User not found");
  }
  return user;
}

/**
 * Disables a user, in one transaction: the flag (they cannot sign in, and
 * no session of theirs is honoured), every session deleted (each delete
 * announces its end, so their open streams close at once in every web
 * process), and every unfinished job of theirs canceled (the generator is
 * told by the queued cancel tasks). An admin cannot disable themselves;
 * disabling someone already disabled changes nothing.
 */
export async function disableUserAsAdmin(db: Database, admin: SessionUser, userId: string) {
  if (userId === admin.id) {
    throw new AppError("conflict", "You cannot disable your own account");
  }
  return db.transaction(async (tx) => {
    await lockAdminRoles(tx);
    const target = await userOr404(tx, userId);
    if (target.role === "admin" && (await countOtherActiveAdmins(tx, userId)) === 0) {
      throw new AppError("conflict", "The last administrator cannot be disabled");
    }
    const now = new Date();
    const { disabled, sessionsEnded } = await disableUserRow(tx, userId, now);
    let jobsCanceled = 0;
    for (const jobId of await activeJobIdsOf(tx, userId)) {
      const g = await lockGeneration(tx, jobId);
      if (g && !g.deletedAt && (await cancelLocked(tx, g))) {
        jobsCanceled++;
      }
    }
    if (disabled) {
      await recordAdminAction(tx, {
        adminId: admin.id,
        action: "disable",
        targetType: "user",
        targetId: userId,
        detail: { sessions_ended: sessionsEnded, jobs_canceled: jobsCanceled },
      });
    }
    return {
      user: adminUserView(await userOr404(tx, userId)),
      sessions_ended: sessionsEnded,
      jobs_canceled: jobsCanceled,
    };
  });
}

/** Lets a disabled user sign in again (their old sessions are gone: they sign in anew). */
export async function enableUserAsAdmin(db: Database, admin: SessionUser, userId: string): Promise<AdminUser> {
  return db.transaction(async (tx) => {
    await userOr404(tx, userId);
    if (await enableUserRow(tx, userId, new Date())) {
      await recordAdminAction(tx, { adminId: admin.id, action: "enable", targetType: "user", targetId: userId });
    }
    return adminUserView(await userOr404(tx, userId));
  });
}

/**
 * Makes a user an admin or takes the role away. The last admin who can act
 * (not disabled) keeps it: taken under one lock, so two admins demoting each
 * other at once cannot leave none.
 */
export async function setRoleAsAdmin(
  db: Database,
  admin: SessionUser,
  userId: string,
  role: "admin" | "user",
): Promise<AdminUser> {
  return db.transaction(async (tx) => {
    await lockAdminRoles(tx);
    const target = await userOr404(tx, userId);
    if (target.role === role) {
      return adminUserView(target);
    }
    if (role === "user" && !target.disabledAt && (await countOtherActiveAdmins(tx, userId)) === 0) {
      throw new AppError("conflict", "The last administrator cannot lose the role; make someone else an admin first");
    }
    await setUserRoleRow(tx, userId, role, new Date());
    await recordAdminAction(tx, {
      adminId: admin.id,
      action: role === "admin" ? "make_admin" : "remove_admin",
      targetType: "user",
      targetId: userId,
    });
    return adminUserView(await userOr404(tx, userId));
  });
}
