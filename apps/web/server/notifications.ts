import { AppError, type Notification, type NotificationList } from "@sorami/contracts";
import type { Database, NotificationRow } from "@sorami/db";
import { publishUserEvent } from "@sorami/db/queries/events";
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from "@sorami/db/queries/notifications";
import type { SessionUser } from "./session";

/** Newest notifications shown at once in the centre. */
export const NOTIFICATIONS_LIST_LIMIT = 50;

export function toNotification(n: NotificationRow): Notification {
  return {
    id: n.id,
    type: n.type,
    title: n.title,
    message: n.message,
    metadata: n.metadata ?? null,
    read_at: n.readAt?.toISOString() ?? null,
    created_at: n.createdAt.toISOString(),
  };
}

export async function listUserNotifications(db: Database, user: SessionUser): Promise<NotificationList> {
  const { rows, unread } = await listNotifications(db, user.id, NOTIFICATIONS_LIST_LIMIT);
  return { notifications: rows.map(toNotification), unread_count: unread };
}

/** Marks one notification read; the user's other tabs hear of it through their live stream. */
export async function readNotification(db: Database, user: SessionUser, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError("not_found", "Notification not found");
  }
  return db.transaction(async (tx) => {
    const result = await markNotificationRead(tx, user.id, id);
    if (result === "missing") {
      throw new AppError("not_found", "Notification not found");
    }
    if (result === "marked") {
      const unread = await countUnreadNotifications(tx, user.id);
      await publishUserEvent(tx, user.id, "notifications_read", { ids: [id], unread_count: unread });
    }
    return { success: true };
  });
}

export async function readAllNotifications(db: Database, user: SessionUser) {
  return db.transaction(async (tx) => {
    const updated = await markAllNotificationsRead(tx, user.id);
    if (updated > 0) {
      await publishUserEvent(tx, user.id, "notifications_read", { ids: null, unread_count: 0 });
    }
    return { success: true, updated };
  });
}
