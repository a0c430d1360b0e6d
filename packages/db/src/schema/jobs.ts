import { JOB_KINDS, JOB_STATUSES, TERMINAL_STATUSES } from "@sorami/contracts";
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { organizations, users } from "./auth";
import { generationSearchText, generationSearchVector } from "./search-text";

/**
 * One row per job, whatever its kind. The row's id is the job id used
 * everywhere (web API, generator, webhooks, storage keys). Kind-specific
 * parameters live in `params`, validated by the kind's contract schema.
 */
/** A job that has not ended; the same text in the partial index and the queries that count them, so the index serves them. */
export const generationIsActive = sql.raw(
  `"generations"."status" not in (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ")})`,
);

export const generations = pgTable(
  "generations",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: JOB_KINDS }).notNull(),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    organizationId: text("organization_id").references(() => organizations.id, { onDelete: "set null" }),
    prompt: text("prompt").notNull(),
    params: jsonb("params").$type<Record<string, unknown>>().notNull(),
    /** The catalog model: the one asked for (or the default) at submit, then the one that served the job. */
    model: text("model"),
    provider: text("provider"),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("PENDING"),
    progress: integer("progress").notNull().default(0),
    message: text("message"),
    /**
     * The sender's time of the newest event applied (its webhook's
     * `timestamp`): a message-only update older than it arrived late and is
     * not applied (see decideTransition).
     */
    reportedAt: timestamp("reported_at", { withTimezone: true }),
    error: text("error"),
    /**
     * What failed the job, in a word: a provider error kind (rate_limit,
     * timeout, transient, content_blocked, no_output, invalid_request) the
     * generator reported, or the web app's own reason (refused, expired,
     * unrecoverable, invalid_event); null for jobs that did not fail or
     * failed before this was recorded. The admin overview groups by it.
     */
    errorKind: text("error_kind"),
    /** The job an admin retried into this one (a new job with its parameters). */
    retryOf: text("retry_of"),
    processingTimeMs: integer("processing_time_ms"),
    providerMetadata: jsonb("provider_metadata").$type<Record<string, unknown>>(),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the job first left PENDING (the generator took it up); null until then. */
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /**
     * Soft delete: the owner deleted it. The row stays so a late webhook finds
     * it and is acknowledged as a no-op instead of recreating the job; every
     * read hides it, and its files and media rows are purged.
     */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    /**
     * Runs of the reconciler that failed on this job (an error repairing it,
     * not an unreachable generator). The reconciler takes the jobs with the
     * fewest first, so one that keeps failing never holds back the others,
     * and fails it for good after RECONCILE_MAX_FAILURES.
     */
    repairFailures: integer("repair_failures").notNull().default(0),
  },
  (t) => [
    // Keyset pagination of a user's gallery, newest first.
    // NULLS FIRST is what `ORDER BY … DESC` means in PostgreSQL; an index built DESC NULLS LAST cannot give
    // that order, and the gallery became a sort of every row the user has (EXPLAIN ANALYZE at 100k rows:
    // 48–74 ms, then 0.05 ms with this order).
    index("generations_author_created_idx").on(t.authorId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("generations_author_kind_created_idx").on(
      t.authorId,
      t.kind,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // The gallery filtered by model, in the same order (a rare model is found without scanning the rest).
    index("generations_author_kind_model_created_idx").on(
      t.authorId,
      t.kind,
      t.model,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    // A user's live stream starts from their unfinished and recently changed jobs.
    index("generations_author_updated_idx").on(t.authorId, t.updatedAt.desc().nullsFirst()),
    // …and the per-user active-jobs quota counts these at every submit.
    index("generations_author_unfinished_idx").on(t.authorId).where(generationIsActive),
    // A pending job's queue position counts the pending jobs before it.
    index("generations_pending_created_idx").on(t.createdAt, t.id).where(sql`${t.status} = 'PENDING'`),
    // The admin console's list of everyone's jobs, newest first, and the overview's counts by time window.
    index("generations_created_idx").on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The overview's failure rates: jobs that ended in the last day.
    index("generations_completed_idx").on(t.completedAt).where(sql`${t.completedAt} is not null`),
    // A job's story lists the retries an admin made of it.
    index("generations_retry_of_idx").on(t.retryOf).where(sql`${t.retryOf} is not null`),
    // Search (queries/search.ts): words, and runs of no-space scripts as phrases (full-text, `simple`:
    // language-agnostic); any part of a word of 3 characters or more (trigrams; pg_trgm, created by 0010).
    index("generations_search_fts_idx").using("gin", generationSearchVector),
    index("generations_search_trgm_idx").using("gin", sql`${generationSearchText} gin_trgm_ops`),
    // A retried submit with the same Idempotency-Key finds the first job.
    uniqueIndex("generations_author_idempotency_key_uq")
      .on(t.authorId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);
export type Generation = typeof generations.$inferSelect;
