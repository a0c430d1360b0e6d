import { and, desc, eq, exists, gt, isNull, or, sql } from "drizzle-orm";
import type { Tx } from "../client";
import {
  collectionItems,
  collections,
  type Generation,
  generations,
  type MediaFile,
  mediaFileIsShown,
  mediaFiles,
  type ShareLinkRow,
  shareLinks,
} from "../schema";
import { type LibraryScope, sharesInScope } from "./scope";

/** Not expired: no end, or an end still ahead by the database's clock. */
const live = or(isNull(shareLinks.expiresAt), gt(shareLinks.expiresAt, sql`now()`));

/**
 * Stores a link (its target already checked to be in the scope) unless the
 * scope has `max` live links: the count and the insert are one statement.
 * Null when full.
 */
export async function createShareLink(
  db: Tx,
  scope: LibraryScope,
  link: Pick<ShareLinkRow, "id" | "tokenHash" | "generationId" | "collectionId" | "expiresAt">,
  max: number,
): Promise<ShareLinkRow | null> {
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into ${shareLinks} (id, owner_id, token_hash, generation_id, collection_id, expires_at)
    select ${link.id}, ${scope.ownerId}, ${link.tokenHash}, ${link.generationId}, ${link.collectionId},
      ${link.expiresAt ? link.expiresAt.toISOString() : null}::timestamptz
    where (select count(*) from ${shareLinks} where ${sharesInScope(scope)} and ${live}) < ${max}
    returning id`);
  if (rows.length === 0) {
    return null;
  }
  const [row] = await db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
  return row ?? null;
}

/** The scope's live links, newest first, optionally those of one generation or collection. */
export async function listShareLinks(
  db: Tx,
  scope: LibraryScope,
  target: { generationId?: string; collectionId?: string },
): Promise<ShareLinkRow[]> {
  return db
    .select()
    .from(shareLinks)
    .where(
      and(
        sharesInScope(scope),
        live,
        target.generationId ? eq(shareLinks.generationId, target.generationId) : undefined,
        target.collectionId ? eq(shareLinks.collectionId, target.collectionId) : undefined,
      ),
    )
    .orderBy(desc(shareLinks.createdAt), desc(shareLinks.id));
}

/** Revokes a link: its row goes, so its token finds nothing from now on. False when it is not the scope's. */
export async function deleteShareLink(db: Tx, scope: LibraryScope, id: string): Promise<boolean> {
  const rows = await db
    .delete(shareLinks)
    .where(and(sharesInScope(scope), eq(shareLinks.id, id)))
    .returning({ id: shareLinks.id });
  return rows.length > 0;
}

/** The live link with this token hash, or null (unknown, revoked, expired). */
export async function findLiveShareLink(db: Tx, tokenHash: string): Promise<ShareLinkRow | null> {
  const [row] = await db
    .select()
    .from(shareLinks)
    .where(and(eq(shareLinks.tokenHash, tokenHash), live));
  return row ?? null;
}

/** A shared generation, unless its owner deleted it since. */
export async function getSharedGeneration(db: Tx, generationId: string): Promise<Generation | null> {
  const [row] = await db
    .select()
    .from(generations)
    .where(and(eq(generations.id, generationId), isNull(generations.deletedAt)));
  return row ?? null;
}

/**
 * A file a link shows, by the file's id: a file of the linked generation, or
 * of a whole generation in the linked collection, or a single file in it —
 * never another file of that generation, nor of a deleted one, nor one not
 * shown as it is (pending screening, held, removed: `mediaFileIsShown`).
 */
export async function getSharedFile(db: Tx, link: ShareLinkRow, fileId: string): Promise<MediaFile | null> {
  const inLink = link.generationId
    ? eq(mediaFiles.generationId, link.generationId)
    : exists(
        db
          .select({ one: sql`1` })
          .from(collectionItems)
          .where(
            and(
              eq(collectionItems.collectionId, link.collectionId ?? ""),
              eq(collectionItems.generationId, mediaFiles.generationId),
              or(isNull(collectionItems.mediaFileId), eq(collectionItems.mediaFileId, mediaFiles.id)),
            ),
          ),
      );
  const [row] = await db
    .select({ file: mediaFiles })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(and(eq(mediaFiles.id, fileId), isNull(generations.deletedAt), mediaFileIsShown, inLink));
  return row?.file ?? null;
}

/** The name of a shared collection (the link's target: a collection's link goes with it). */
export async function getSharedCollectionName(db: Tx, collectionId: string): Promise<string | null> {
  const [row] = await db.select({ name: collections.name }).from(collections).where(eq(collections.id, collectionId));
  return row?.name ?? null;
}
