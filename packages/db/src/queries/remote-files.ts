import type { JobKind } from "@sorami/contracts";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { generations, mediaFiles } from "../schema";

/** A file waiting to be fetched from a backend's URL, with what its fetch needs to know of its job. */
export type PendingRemoteFile = {
  id: string;
  storageKey: string;
  sourceUrl: string;
  kind: JobKind;
  generationId: string;
};

/** The file if it is still pending and its job still exists (not deleted); else null: nothing to fetch. */
export async function getPendingRemoteFile(db: Tx, fileId: string): Promise<PendingRemoteFile | null> {
  const [row] = await db
    .select({
      id: mediaFiles.id,
      storageKey: mediaFiles.storageKey,
      sourceUrl: mediaFiles.sourceUrl,
      kind: generations.kind,
      generationId: generations.id,
    })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(and(eq(mediaFiles.id, fileId), eq(mediaFiles.state, "pending"), isNull(generations.deletedAt)));
  return row?.sourceUrl ? { ...row, sourceUrl: row.sourceUrl } : null;
}

/** The file's job is not deleted (checked in the statement that records the file, so a delete cannot slip between). */
const liveJob = sql`exists (select 1 from ${generations} where ${generations.id} = ${mediaFiles.generationId} and ${generations.deletedAt} is null)`;

/**
 * Records a fetched file under its final key (its extension follows its real
 * type), its real size and format. False when it is no longer pending or its
 * job was deleted meanwhile: the caller removes what it stored.
 */
export async function markRemoteFileStored(
  db: Tx,
  fileId: string,
  stored: { storageKey: string; sizeBytes: number; format: string },
): Promise<boolean> {
  const rows = await db
    .update(mediaFiles)
    .set({ ...stored, state: "stored", sourceUrl: null, missingReason: null })
    .where(and(eq(mediaFiles.id, fileId), eq(mediaFiles.state, "pending"), liveJob))
    .returning({ id: mediaFiles.id });
  return rows.length > 0;
}

/** Gives up on a pending file, with the reason its owner reads. */
export async function markRemoteFileMissing(db: Tx, fileId: string, reason: string): Promise<void> {
  await db
    .update(mediaFiles)
    .set({ state: "missing", sourceUrl: null, missingReason: reason })
    .where(and(eq(mediaFiles.id, fileId), eq(mediaFiles.state, "pending")));
}
