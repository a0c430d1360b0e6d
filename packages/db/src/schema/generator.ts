import { type CompletedData, type FallbackStep, JOB_KINDS, JOB_STATUSES, type RemoteHandle } from "@sorami/contracts";
import { index, integer, jsonb, pgSchema, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * The generator service's own tables, in their own schema: it could run on
 * another database and never reads the web app's tables.
 */
export const generatorSchema = pgSchema("generator");

export const generatorJobs = generatorSchema.table(
  "jobs",
  {
    /** The caller's job id (the web app's generation id). */
    id: text("id").primaryKey(),
    kind: text("kind", { enum: JOB_KINDS }).notNull(),
    userId: text("user_id").notNull(),
    request: jsonb("request").$type<Record<string, unknown>>().notNull(),
    /** Storage key of the caller's input image, kept out of `request`. */
    inputKey: text("input_key"),
    /** The same statuses and transitions as the web app's jobs: `decideTransition` (contracts). */
    status: text("status", { enum: JOB_STATUSES }).notNull().default("PENDING"),
    /** 0–100, never down; what the status implies unless a provider reports more. */
    progress: integer("progress").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    /** The ProviderError kind (or `internal`) that failed the job; null unless it failed. */
    errorKind: text("error_kind"),
    /** The catalog model serving the job (set at submit; a fallback's once the job moved) and its provider. */
    model: text("model"),
    provider: text("provider"),
    /**
     * An asynchronous provider's handle on the job's work, committed before
     * the first wait: a run that finds one resumes waiting on it instead of
     * submitting (and paying) again. Cleared when that work ended badly.
     */
    remoteHandle: jsonb("remote_handle").$type<RemoteHandle>(),
    /** The provider's own status word for that work (IN_QUEUE, processing…), for the operator. */
    remoteStatus: text("remote_status"),
    /** Submissions to providers so far (more than one: a lost request, failed work retried, a fallback). */
    remoteSubmissions: integer("remote_submissions").notNull().default(0),
    /** Moves to fallback models, in order. */
    fallbacks: jsonb("fallbacks").$type<FallbackStep[]>().notNull().default([]),
    /** The `data` of the job's `completed` webhook. */
    result: jsonb("result").$type<CompletedData>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [index("generator_jobs_status_idx").on(t.status)],
);
export type GeneratorJob = typeof generatorJobs.$inferSelect;

/**
 * One row per webhook event. The id is the `webhook-id`, stable across
 * retries; (job, event) is unique so a re-run job never announces the same
 * status twice.
 */
export const webhookDeliveries = generatorSchema.table(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull(),
    event: text("event").notNull(),
    url: text("url").notNull(),
    /** The exact bytes signed and sent, so every retry sends the same body. */
    body: text("body").notNull(),
    /**
     * pending (queued or retrying) → delivered | dead (schedule spent) | disabled (the receiver answered 410)
     * | superseded (a progress event not sent: a later event of the same job was already queued).
     */
    state: text("state", { enum: ["pending", "delivered", "dead", "disabled", "superseded"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("webhook_deliveries_job_event_uq").on(t.jobId, t.event)],
);
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

/** Every delivery attempt, kept for inspection and redelivery decisions. */
export const webhookAttempts = generatorSchema.table(
  "webhook_attempts",
  {
    id: serial("id").primaryKey(),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId)],
);

/**
 * Every call a run of a job made to its provider, for the admin console's
 * job story: when, how long, the provider's request id where it gives one,
 * and how it ended. Written once, when the call ends.
 */
export const providerCalls = generatorSchema.table(
  "provider_calls",
  {
    id: serial("id").primaryKey(),
    jobId: text("job_id").notNull(),
    /** The run of the job (generator.jobs.attempts at the time). */
    attempt: integer("attempt").notNull(),
    provider: text("provider").notNull(),
    model: text("model"),
    requestId: text("request_id"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    durationMs: integer("duration_ms"),
    outcome: text("outcome", { enum: ["ok", "error"] }).notNull(),
    errorKind: text("error_kind"),
    error: text("error"),
  },
  (t) => [index("provider_calls_job_idx").on(t.jobId, t.startedAt)],
);
export type ProviderCallRow = typeof providerCalls.$inferSelect;
