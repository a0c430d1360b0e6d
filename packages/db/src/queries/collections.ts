import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "../client";
import {
  type CollectionRow,
  collectionItems,
  collections,
  type Generation,
  generations,
  type MediaFile,
  mediaFileIsShown,
  mediaFiles,
} from "../schema";
import { collectionsInScope, generationsInScope, type LibraryScope } from "./scope";

/** A collection with its counts: whole generations, and single files. */
export type CollectionWithCounts = CollectionRow & { generationCount: number; fileCount: number };

// Qualified by hand: Drizzle leaves a one-table select's columns unqualified, and inside the
// subquery they would name the items' own columns.
const counts = {
  generationCount: sql<number>`(select count(*)::int from collection_items i
    where i.collection_id = "collections"."id" and i.media_file_id is null)`,
  fileCount: sql<number>`(select count(*)::int from collection_items i
    where i.collection_id = "collections"."id" and i.media_file_id is not null)`,
};

/** A collection's columns and its counts, as both reads select them. */
const withCounts = {
  id: collections.id,
  ownerId: collections.ownerId,
  name: collections.name,
  createdAt: collections.createdAt,
  updatedAt: collections.updatedAt,
  ...counts,
};

/** The scope's collections, newest first, with their counts. */
export async function listCollections(db: Tx, scope: LibraryScope, limit: number): Promise<CollectionWithCounts[]> {
  return db
    .select(withCounts)
    .from(collections)
    .where(collectionsInScope(scope))
    .orderBy(desc(collections.createdAt), desc(collections.id))
    .limit(limit);
}

/** One of the scope's collections with its counts; null for anyone else's or none. */
export async function getCollection(db: Tx, scope: LibraryScope, id: string): Promise<CollectionWithCounts | null> {
  const [row] = await db
    .select(withCounts)
    .from(collections)
    .where(and(collectionsInScope(scope), eq(collections.id, id)));
  return row ?? null;
}

/**
 * Creates a collection unless the scope already has `max`: the count and the
 * insert are one statement. Null when the scope is full.
 */
export async function createCollection(
  db: Tx,
  scope: LibraryScope,
  name: string,
  max: number,
): Promise<CollectionRow | null> {
  const id = randomUUID();
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into ${collections} (id, owner_id, name)
    select ${id}, ${scope.ownerId}, ${name}
    where (select count(*) from ${collections} where ${collectionsInScope(scope)}) < ${max}
    returning id`);
  if (rows.length === 0) {
    return null;
  }
  const [row] = await db.select().from(collections).where(eq(collections.id, id));
  return row ?? null;
}

export async function renameCollection(db: Tx, scope: LibraryScope, id: string, name: string): Promise<boolean> {
  const rows = await db
    .update(collections)
    .set({ name, updatedAt: new Date() })
    .where(and(collectionsInScope(scope), eq(collections.id, id)))
    .returning({ id: collections.id });
  return rows.length > 0;
}

/** Deletes a collection and its items (cascade); the generations and files stay. */
export async function deleteCollection(db: Tx, scope: LibraryScope, id: string): Promise<boolean> {
  const rows = await db
    .delete(collections)
    .where(and(collectionsInScope(scope), eq(collections.id, id)))
    .returning({ id: collections.id });
  return rows.length > 0;
}

/** An item to add or remove: a whole generation, or one of its files. */
export type CollectionItemRef = { generationId: string; mediaFileId: string | null };

const itemIs = (collectionId: string, item: CollectionItemRef) =>
  and(
    eq(collectionItems.collectionId, collectionId),
    eq(collectionItems.generationId, item.generationId),
    item.mediaFileId === null ? isNull(collectionItems.mediaFileId) : eq(collectionItems.mediaFileId, item.mediaFileId),
  );

/**
 * Adds an item (whose collection and generation are already checked to be in
 * the scope) unless the collection holds `max` items: "added", "present"
 * (it was there: nothing changes), or "full".
 */
export async function addCollectionItem(
  db: Tx,
  collectionId: string,
  item: CollectionItemRef,
  max: number,
): Promise<"added" | "present" | "full"> {
  const [present] = await db.select({ id: collectionItems.id }).from(collectionItems).where(itemIs(collectionId, item));
  if (present) {
    return "present";
  }
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into ${collectionItems} (id, collection_id, generation_id, media_file_id)
    select ${randomUUID()}, ${collectionId}, ${item.generationId}, ${item.mediaFileId}
    where (select count(*) from ${collectionItems} where ${collectionItems.collectionId} = ${collectionId}) < ${max}
    on conflict do nothing
    returning id`);
  if (rows.length === 0) {
    // Either full, or added at the same moment by another request (then it is present).
    const [now] = await db.select({ id: collectionItems.id }).from(collectionItems).where(itemIs(collectionId, item));
    return now ? "present" : "full";
  }
  await db.update(collections).set({ updatedAt: new Date() }).where(eq(collections.id, collectionId));
  return "added";
}

export async function removeCollectionItem(db: Tx, collectionId: string, item: CollectionItemRef): Promise<void> {
  const rows = await db.delete(collectionItems).where(itemIs(collectionId, item)).returning({ id: collectionItems.id });
  if (rows.length > 0) {
    await db.update(collections).set({ updatedAt: new Date() }).where(eq(collections.id, collectionId));
  }
}

/** A file to show or pack, with the generation it belongs to. */
export type FileWithGeneration = { generation: Generation; file: MediaFile };

/**
 * The files a collection holds: every file of its whole generations, and its
 * single files, each once, newest generation first; at most `limit`.
 * Generations deleted since are left out, and so are files not shown as
 * they are (pending screening, held, removed: `mediaFileIsShown`), for these
 * are shared and zipped. The collection must already be checked (its owner's, or behind a live share link).
 */
export async function listCollectionFiles(db: Tx, collectionId: string, limit: number): Promise<FileWithGeneration[]> {
  const rows = await db
    .selectDistinctOn([generations.createdAt, generations.id, mediaFiles.index], {
      generation: generations,
      file: mediaFiles,
    })
    .from(collectionItems)
    .innerJoin(generations, eq(generations.id, collectionItems.generationId))
    .innerJoin(
      mediaFiles,
      and(
        eq(mediaFiles.generationId, generations.id),
        or(isNull(collectionItems.mediaFileId), eq(mediaFiles.id, collectionItems.mediaFileId)),
      ),
    )
    .where(and(eq(collectionItems.collectionId, collectionId), isNull(generations.deletedAt), mediaFileIsShown))
    .orderBy(desc(generations.createdAt), desc(generations.id), asc(mediaFiles.index))
    .limit(limit);
  return rows;
}

/** The files of one generation in the scope (its id already checked), in order; those `mediaFileIsShown` only (zipped). */
export async function listGenerationFiles(
  db: Tx,
  scope: LibraryScope,
  generationId: string,
): Promise<FileWithGeneration[]> {
  return db
    .select({ generation: generations, file: mediaFiles })
    .from(generations)
    .innerJoin(mediaFiles, eq(mediaFiles.generationId, generations.id))
    .where(
      and(
        generationsInScope(scope),
        eq(generations.id, generationId),
        isNotNull(mediaFiles.storageKey),
        mediaFileIsShown,
      ),
    )
    .orderBy(asc(mediaFiles.index));
}
