import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Webhook events the web app has applied. The primary key is the event id
 * (`webhook-id`), so a redelivery — even ten at once — is applied once: the
 * insert happens in the same transaction as the change it records.
 */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull(),
    status: text("status").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // An admin's view of a job lists the events applied to it, in order.
  (t) => [index("webhook_events_job_idx").on(t.jobId, t.receivedAt)],
);
