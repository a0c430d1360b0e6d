import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { collectionItems, favorites, generations, type MediaFile, mediaFiles, shareLinks } from "../schema";
import { favoritesInScope, generationsInScope, type LibraryScope } from "./scope";

/** Stars a whole generation (already checked to be in the scope); starring it again changes nothing. */
export async function starGeneration(db: Tx, scope: LibraryScope, generationId: string): Promise<void> {
  await db
    .insert(favorites)
    .values({ id: randomUUID(), ownerId: scope.ownerId, generationId })
    .onConflictDoNothing({
      target: [favorites.generationId, favorites.ownerId],
      where: sql`${favorites.mediaFileId} is null`,
    });
}

export async function unstarGeneration(db: Tx, scope: LibraryScope, generationId: string): Promise<void> {
  await db
    .delete(favorites)
    .where(and(favoritesInScope(scope), eq(favorites.generationId, generationId), isNull(favorites.mediaFileId)));
}

/** Stars one file (already checked to be in the scope). */
export async function starFile(db: Tx, scope: LibraryScope, file: Pick<MediaFile, "id" | "generationId">) {
  await db
    .insert(favorites)
    .values({ id: randomUUID(), ownerId: scope.ownerId, generationId: file.generationId, mediaFileId: file.id })
    .onConflictDoNothing({
      target: [favorites.mediaFileId, favorites.ownerId],
      where: sql`${favorites.mediaFileId} is not null`,
    });
}

export async function unstarFile(db: Tx, scope: LibraryScope, fileId: string): Promise<void> {
  await db.delete(favorites).where(and(favoritesInScope(scope), eq(favorites.mediaFileId, fileId)));
}

/** What the scope starred among these generations: the generation itself, and which of its files. */
export type StarMarks = { generation: boolean; fileIds: string[] };

export async function starsOf(db: Tx, scope: LibraryScope, generationIds: string[]): Promise<Map<string, StarMarks>> {
  const marks = new Map<string, StarMarks>();
  if (generationIds.length === 0) {
    return marks;
  }
  const rows = await db
    .select({ generationId: favorites.generationId, fileId: favorites.mediaFileId })
    .from(favorites)
    .where(and(favoritesInScope(scope), inArray(favorites.generationId, generationIds)));
  for (const row of rows) {
    const mark = marks.get(row.generationId) ?? { generation: false, fileIds: [] };
    if (row.fileId === null) {
      mark.generation = true;
    } else {
      mark.fileIds.push(row.fileId);
    }
    marks.set(row.generationId, mark);
  }
  return marks;
}

/** A file of a generation in the scope, by its id; null for anyone else's, a deleted job's or none. */
export async function getFileInScope(db: Tx, scope: LibraryScope, fileId: string): Promise<MediaFile | null> {
  const [row] = await db
    .select({ file: mediaFiles })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(and(eq(mediaFiles.id, fileId), generationsInScope(scope)));
  return row?.file ?? null;
}

/**
 * A deleted generation leaves the library: its stars, its places in
 * collections and its share links go in the delete's transaction (the row
 * itself stays, soft-deleted, so no cascade would take them).
 */
export async function removeGenerationFromLibrary(tx: Tx, generationId: string): Promise<void> {
  await tx.delete(favorites).where(eq(favorites.generationId, generationId));
  await tx.delete(collectionItems).where(eq(collectionItems.generationId, generationId));
  await tx.delete(shareLinks).where(eq(shareLinks.generationId, generationId));
}
