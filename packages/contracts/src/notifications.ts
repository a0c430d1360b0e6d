import { z } from "zod";

export const NOTIFICATION_TYPES = ["IMAGE_COMPLETED", "IMAGE_FAILED", "VIDEO_COMPLETED", "VIDEO_FAILED"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const notificationSchema = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  message: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  read_at: z.string().nullable(),
  created_at: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListSchema = z.object({
  notifications: z.array(notificationSchema),
  unread_count: z.number().int(),
});
export type NotificationList = z.infer<typeof notificationListSchema>;

/** POST /api/notifications/{id}/read */
export const notificationReadSchema = z.object({ success: z.literal(true) });
/** POST /api/notifications/read-all: how many were unread. */
export const notificationsReadAllSchema = z.object({
  success: z.literal(true),
  updated: z.number().int().nonnegative(),
});
