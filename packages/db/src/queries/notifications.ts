import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Tx } from "../client";
import { notifications } from "../schema";

export async function listNotifications(db: Tx, userId: string, limit: number) {
  const rows = await db
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
  return { rows, unread: await countUnreadNotifications(db, userId) };
}

export async function countUnreadNotifications(db: Tx, userId: string): Promise<number> {
  const [unread] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return unread?.n ?? 0;
}

/** Marks one of the user's notifications read: "missing" when it is not theirs or does not exist. */
export async function markNotificationRead(
  db: Tx,
  userId: string,
  id: string,
): Promise<"marked" | "already_read" | "missing"> {
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  if (rows.length > 0) {
    return "marked";
  }
  const [exists] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  return exists ? "already_read" : "missing";
}

export async function markAllNotificationsRead(db: Tx, userId: string): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/** The user's unread notifications, newest first. */
export async function listUnreadNotifications(db: Tx, userId: string, limit: number) {
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
}
