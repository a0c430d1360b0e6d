import { AppError, type NotificationList } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { listNotifications, markNotificationRead } from "@sorami/db/queries/notifications";
import type { SessionUser } from "./session";

/** Newest notifications shown at once in the centre. */
export const NOTIFICATIONS_LIST_LIMIT = 50;

export async function listUserNotifications(db: Database, user: SessionUser): Promise<NotificationList> {
  const { rows, unread } = await listNotifications(db, user.id, NOTIFICATIONS_LIST_LIMIT);
  return {
    notifications: rows.map((n) => ({
      id: n.id,
      type: n.type,
      title: n.title,
      message: n.message,
      metadata: n.metadata ?? null,
      read_at: n.readAt?.toISOString() ?? null,
      created_at: n.createdAt.toISOString(),
    })),
    unread_count: unread,
  };
}

export async function readNotification(db: Database, user: SessionUser, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "Notification not found");
  const found = await markNotificationRead(db, user.id, id);
  if (!found) throw new AppError("not_found", "Notification not found");
  return { success: true };
}
