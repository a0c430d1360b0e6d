import { AppError, inputPrefix, isTerminal, type JobKind, outputPrefix } from "@sorami/contracts";
import type { Database, Tx } from "@sorami/db";
import { publishUserEvent } from "@sorami/db/queries/events";
import { removeGenerationFromLibrary } from "@sorami/db/queries/favorites";
import {
  deleteMediaFilesOf,
  getGenerationById,
  lockGeneration,
  markGenerationDeleted,
} from "@sorami/db/queries/generations";
import type { Storage } from "@sorami/storage";
import type { SessionUser } from "../session";
import { cancelLocked } from "./cancel";
import { ownedJob } from "./read";
import { enqueuePurge } from "./tasks";

/**
 * Deletes one of the user's jobs (404 when it is not theirs, already deleted
 * or of another kind). A job still running is canceled first, in the same
 * transaction, so the generator is told to stop. The row is only marked
 * deleted — every read hides it, and a late webhook finds it and changes
 * nothing instead of recreating the job — while its files and media rows are
 * purged: at once, and by a task queued with the delete in case this process
 * dies before it gets there. It leaves the library in the same transaction
 * (stars, collections, share links), and every open tab of its owner is told
 * (`job_deleted`), so galleries drop its card.
 */
export async function deleteGeneration(
  db: Database,
  storage: Storage,
  user: SessionUser,
  kind: JobKind,
  id: string,
): Promise<void> {
  const owned = await ownedJob(db, user, kind, id);
  await deleteJob(db, storage, owned.id);
}

/**
 * Deletes a job by id, as its owner's delete does (an admin's delete comes
 * here too, after its own checks): canceled first if still running, marked
 * deleted, its purge queued in the same transaction (`alsoInTransaction`
 * writes there too), then its files purged at once. 404 when it is already
 * deleted or missing.
 */
export async function deleteJob(
  db: Database,
  storage: Storage,
  id: string,
  alsoInTransaction?: (tx: Tx) => Promise<void>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const g = await lockGeneration(tx, id);
    if (!g || g.deletedAt) {
      throw new AppError("not_found", "Job not found");
    }
    if (!isTerminal(g.status)) {
      await cancelLocked(tx, g);
    }
    await markGenerationDeleted(tx, g.id, new Date());
    await removeGenerationFromLibrary(tx, g.id);
    await publishUserEvent(tx, g.authorId, "job_deleted", { job_id: g.id, kind: g.kind });
    await enqueuePurge(tx, g.id);
    await alsoInTransaction?.(tx);
  });
  await purgeDeletedGeneration(db, storage, id);
}

/** Storage prefixes a job's files live under: its outputs (files, posters, thumbnails) and its input image. */
export function storagePrefixesOf(kind: JobKind, jobId: string): string[] {
  return [outputPrefix(kind, jobId), inputPrefix(jobId)];
}

/**
 * Removes a deleted job's files from storage (everything under its
 * prefixes, where the generator writes), then its media rows. Does
 * nothing for a job that is not deleted, so it can never take a live job's
 * files. Idempotent: run again (a retry, a late webhook's files) it deletes
 * whatever is there now.
 */
export async function purgeDeletedGeneration(db: Database, storage: Storage, jobId: string): Promise<void> {
  const g = await getGenerationById(db, jobId);
  if (!g?.deletedAt) {
    return;
  }
  // Only the job's own prefixes: a key a sender reported elsewhere is never trusted as something to delete.
  for (const prefix of storagePrefixesOf(g.kind, g.id)) {
    await storage.deletePrefix(prefix);
  }
  await deleteMediaFilesOf(db, jobId);
}
