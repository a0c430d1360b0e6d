import { FILE_STATES, MODERATION_STATES, SHOWN_MODERATION_STATES } from "@sorami/contracts";
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { generations } from "./jobs";

/**
 * Files a job produced. The row keeps the storage key, never a URL: URLs are
 * made when read, so nothing stored expires. (generation, index) is unique,
 * so a redelivered `completed` webhook cannot add a file twice.
 */
export const mediaFiles = pgTable(
  "media_files",
  {
    id: text("id").primaryKey(),
    generationId: text("generation_id")
      .notNull()
      .references(() => generations.id, { onDelete: "cascade" }),
    index: integer("index").notNull(),
    storageKey: text("storage_key").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    format: text("format").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    description: text("description"),
    /** Videos only: length, and the key of a poster frame (a still image). */
    durationSeconds: real("duration_seconds"),
    posterKey: text("poster_key"),
    /** A small WEBP of the file (of the poster, for videos); null for files stored before thumbnails. */
    thumbnailKey: text("thumbnail_key"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    /** Image screening (contracts' MODERATION_STATES); only `mediaFileIsShown` states are served as they are. */
    moderationState: text("moderation_state", { enum: MODERATION_STATES }).notNull().default("unscreened"),
    /** The screening model's nsfw score (0–1) and its class probabilities; null until scored. */
    nsfwScore: real("nsfw_score"),
    moderationScores: jsonb("moderation_scores").$type<Record<string, number>>(),
    screenedAt: timestamp("screened_at", { withTimezone: true }),
    /** A small, heavily blurred WEBP of a held file: all its owner is served of it while it is held. */
    blurredKey: text("blurred_key"),
    /**
     * `stored` for files in Sorami's storage; `pending` while a file a
     * backend reported from elsewhere (its `url`) is being fetched into
     * `storage_key`; `missing` when that failed, with the reason.
     */
    state: text("state", { enum: FILE_STATES }).notNull().default("stored"),
    /** Where a `pending` file is fetched from; cleared once it is stored or given up (presigned URLs carry credentials). */
    sourceUrl: text("source_url"),
    missingReason: text("missing_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("media_files_state_check", sql`${t.state} in (${sql.raw(FILE_STATES.map((s) => `'${s}'`).join(", "))})`),
    check("media_files_source_url_check", sql`(${t.state} = 'pending') = (${t.sourceUrl} is not null)`),
    // Also serves every lookup by generation (its first column): a separate generation_id index only
    // cost one more index write per file.
    uniqueIndex("media_files_generation_index_uq").on(t.generationId, t.index),
    uniqueIndex("media_files_storage_key_uq").on(t.storageKey),
    index("media_files_poster_key_idx").on(t.posterKey),
    index("media_files_thumbnail_key_idx").on(t.thumbnailKey),
    index("media_files_blurred_key_idx").on(t.blurredKey).where(sql`${t.blurredKey} is not null`),
    // The admin's review queue (held, pending): oldest first; decided files are not in it.
    index("media_files_moderation_queue_idx")
      .on(t.moderationState, t.createdAt, t.id)
      .where(sql`${t.moderationState} in ('pending', 'held')`),
  ],
);
export type MediaFile = typeof mediaFiles.$inferSelect;

/**
 * The one predicate every read of media bytes for anyone but an admin
 * honours — the owner's media route, galleries' thumbnails, share links:
 * a file pending screening, held for review or removed is not served as it
 * is. (contracts' SHOWN_MODERATION_STATES; `isShown` is the same rule in
 * TypeScript.)
 */
export const mediaFileIsShown = sql.raw(
  `"media_files"."moderation_state" in (${SHOWN_MODERATION_STATES.map((s) => `'${s}'`).join(", ")})`,
);
