import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { generations } from "./jobs";
import { mediaFiles } from "./media";

/**
 * The library: what a user keeps of their generations. Every row names its
 * owner; the queries scope by it in one place (queries/scope.ts), so a
 * workspace can own them later.
 */

/**
 * A star on a whole generation (`media_file_id` null) or on one of its files.
 * Deleting a generation removes its stars (see queries/library.ts); a purged
 * file's star goes with its row.
 */
export const favorites = pgTable(
  "favorites",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    generationId: text("generation_id")
      .notNull()
      .references(() => generations.id, { onDelete: "cascade" }),
    mediaFileId: text("media_file_id").references(() => mediaFiles.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One star per generation and per file; each leads with the referenced id, which also serves the cascades.
    uniqueIndex("favorites_generation_owner_uq").on(t.generationId, t.ownerId).where(sql`${t.mediaFileId} is null`),
    uniqueIndex("favorites_file_owner_uq").on(t.mediaFileId, t.ownerId).where(sql`${t.mediaFileId} is not null`),
    // The Favourites filter and a gallery page's stars: an owner's starred generations.
    index("favorites_owner_generation_idx").on(t.ownerId, t.generationId),
  ],
);
export type Favorite = typeof favorites.$inferSelect;

export const collections = pgTable(
  "collections",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("collections_owner_created_idx").on(t.ownerId, t.createdAt)],
);
export type CollectionRow = typeof collections.$inferSelect;

/**
 * A whole generation (`media_file_id` null) or one file of it in a
 * collection; a file may be in several collections, and in one beside its
 * whole generation.
 */
export const collectionItems = pgTable(
  "collection_items",
  {
    id: text("id").primaryKey(),
    collectionId: text("collection_id")
      .notNull()
      .references(() => collections.id, { onDelete: "cascade" }),
    generationId: text("generation_id")
      .notNull()
      .references(() => generations.id, { onDelete: "cascade" }),
    mediaFileId: text("media_file_id").references(() => mediaFiles.id, { onDelete: "cascade" }),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("collection_items_generation_uq")
      .on(t.collectionId, t.generationId)
      .where(sql`${t.mediaFileId} is null`),
    uniqueIndex("collection_items_file_uq").on(t.collectionId, t.mediaFileId).where(sql`${t.mediaFileId} is not null`),
    // The collection filter (every generation with anything in it), and a deleted generation's removal.
    index("collection_items_collection_generation_idx").on(t.collectionId, t.generationId),
    index("collection_items_generation_idx").on(t.generationId),
    // A purged file's items go by cascade.
    index("collection_items_file_idx").on(t.mediaFileId),
  ],
);
export type CollectionItemRow = typeof collectionItems.$inferSelect;

/**
 * A link that shows one generation or one collection to anyone who has it.
 * Only the SHA-256 of its token is kept: the database never holds a working
 * link. Revoking deletes the row; an expired one is refused by its time.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    generationId: text("generation_id").references(() => generations.id, { onDelete: "cascade" }),
    collectionId: text("collection_id").references(() => collections.id, { onDelete: "cascade" }),
    /** Null: the link never expires. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("share_links_token_hash_uq").on(t.tokenHash),
    index("share_links_owner_created_idx").on(t.ownerId, t.createdAt),
    index("share_links_generation_idx").on(t.generationId),
    index("share_links_collection_idx").on(t.collectionId),
    check("share_links_one_target_ck", sql`(${t.generationId} is null) <> (${t.collectionId} is null)`),
  ],
);
export type ShareLinkRow = typeof shareLinks.$inferSelect;
