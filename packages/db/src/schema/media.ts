import { bigint, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
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
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Also serves every lookup by generation (its first column): a separate generation_id index only
    // cost one more index write per file.
    uniqueIndex("media_files_generation_index_uq").on(t.generationId, t.index),
    uniqueIndex("media_files_storage_key_uq").on(t.storageKey),
    index("media_files_poster_key_idx").on(t.posterKey),
    index("media_files_thumbnail_key_idx").on(t.thumbnailKey),
  ],
);
export type MediaFile = typeof mediaFiles.$inferSelect;
