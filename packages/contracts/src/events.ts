import { z } from "zod";
import { jobKindSchema } from "./jobs";
import { moderationStateSchema } from "./moderation";
import { notificationSchema } from "./notifications";
import { jobStatusSchema } from "./status";

/**
 * The live stream a signed-in user reads at GET /api/events (Server-Sent
 * Events). Every event the server stores has an `id:` line; a client that
 * reconnects with `Last-Event-ID` (or `?last_event_id=`) gets a fresh
 * snapshot and then every stored event after that id, so nothing it shows
 * can stay stale. Events are typed here and nowhere else.
 */

/** Seconds between `: ping` comments, so proxies never see an idle connection. */
export const EVENTS_HEARTBEAT_SECONDS = 15;
/** What the server tells EventSource to wait before reconnecting. */
export const EVENTS_RETRY_MS = 1000;
/** At most this many stored events are replayed on a reconnect; beyond that the snapshot alone catches up. */
export const EVENTS_REPLAY_LIMIT = 500;
/** Stored events older than this are pruned; a client away longer relies on the snapshot. */
export const EVENTS_RETENTION_HOURS = 24;
/** Finished jobs younger than this are in the snapshot, so a page that reconnects sees how they ended. */
export const EVENTS_SNAPSHOT_RECENT_MINUTES = 15;
/** At most this many jobs and unread notifications are in a snapshot. */
export const EVENTS_SNAPSHOT_LIMIT = 50;
/** An error message in an event is cut to this length, by `truncateText` (the status endpoint has it whole). */
export const EVENTS_ERROR_MAX_LENGTH = 1000;

export const jobEventSchema = z.object({
  job_id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  progress: z.number().int(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  updated_at: z.string(),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

/**
 * A file of a job was screened or decided on (held, released, removed): the
 * owner's page reads the job's files again. Admins' streams hear it too.
 */
export const moderationEventSchema = z.object({
  job_id: z.string(),
  kind: jobKindSchema,
  file_id: z.string(),
  index: z.number().int(),
  state: moderationStateSchema,
});
export type ModerationEvent = z.infer<typeof moderationEventSchema>;

/** A new notification, as the notification list shows it. */
export const notificationEventSchema = notificationSchema;
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

/** Notifications were marked read (one, or all when `ids` is null), in this tab or another. */
export const notificationsReadEventSchema = z.object({
  ids: z.array(z.string()).nullable(),
  unread_count: z.number().int().nonnegative(),
});
export type NotificationsReadEvent = z.infer<typeof notificationsReadEventSchema>;

export const snapshotEventSchema = z.object({
  jobs: z.array(jobEventSchema),
  unread_count: z.number().int().nonnegative(),
  /** The newest unread notifications (at most EVENTS_SNAPSHOT_LIMIT). */
  notifications: z.array(notificationEventSchema),
  /** The id of the newest stored event when the snapshot was taken. */
  last_event_id: z.string().nullable(),
});
export type SnapshotEvent = z.infer<typeof snapshotEventSchema>;

/** A job was deleted (in this tab or another): galleries drop its card. */
export const jobDeletedEventSchema = z.object({ job_id: z.string(), kind: jobKindSchema });
export type JobDeletedEvent = z.infer<typeof jobDeletedEventSchema>;

/** Stored event types and their data. `snapshot` is sent on connect only and never stored. */
export const USER_EVENT_SCHEMAS = {
  job: jobEventSchema,
  job_deleted: jobDeletedEventSchema,
  notification: notificationEventSchema,
  notifications_read: notificationsReadEventSchema,
  moderation: moderationEventSchema,
} as const;
export type UserEventType = keyof typeof USER_EVENT_SCHEMAS;
export const USER_EVENT_TYPES = Object.keys(USER_EVENT_SCHEMAS) as UserEventType[];
export type UserEventData<T extends UserEventType> = z.infer<(typeof USER_EVENT_SCHEMAS)[T]>;

/**
 * What an admin's stream hears of every user's stored events (`event:
 * admin`, no id: not stored, not replayed): that a job moved or a file was
 * screened or decided. The admin console reads what changed again; a stream
 * that reconnects reads everything again anyway.
 */
export const adminEventSchema = z.object({
  type: z.enum(["job", "moderation"]),
  user_id: z.string(),
  job_id: z.string(),
  status: jobStatusSchema.nullable(),
  moderation_state: moderationStateSchema.nullable(),
});
export type AdminEvent = z.infer<typeof adminEventSchema>;

/**
 * `Last-Event-ID` values: stored event ids are positive integers (a bigserial read as a JavaScript
 * number, so at most Number.MAX_SAFE_INTEGER: a larger one would be compared after rounding).
 */
export const lastEventIdSchema = z
  .string()
  .regex(/^\d{1,16}$/, { error: "must be a positive integer" })
  .transform(Number)
  .refine(Number.isSafeInteger, { error: `must be at most ${Number.MAX_SAFE_INTEGER}` });
