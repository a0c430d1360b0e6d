import { AppError, ARCHIVE_ENTRIES_MAX, type JobKind } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { listCollectionFiles, listGenerationFiles } from "@sorami/db/queries/collections";
import { scopeOf } from "@sorami/db/queries/scope";
import type { Storage } from "@sorami/storage";
import { ownedJob } from "../jobs/read";
import type { SessionUser } from "../session";
import { archiveEntries, safeName, zipResponse } from "./archive";
import { collectionInScope } from "./collections";

/** GET /api/{images,videos}/{id}/download: every file of one of the user's generations, as a ZIP. */
export async function downloadGeneration(
  db: Database,
  storage: Storage,
  user: SessionUser,
  kind: JobKind,
  id: string,
): Promise<Response> {
  const g = await ownedJob(db, user, kind, id);
  const files = await listGenerationFiles(db, scopeOf(user.id), g.id);
  if (files.length === 0) {
    throw new AppError("conflict", "This generation has no files to download");
  }
  const folder = `sorami-${g.id.slice(0, 8)}`;
  return zipResponse(storage, archiveEntries(files, folder), `${folder}.zip`);
}

/** GET /api/collections/{id}/download: every file a collection holds, as a ZIP of at most ARCHIVE_ENTRIES_MAX files. */
export async function downloadCollection(
  db: Database,
  storage: Storage,
  user: SessionUser,
  id: string,
): Promise<Response> {
  const collection = await collectionInScope(db, scopeOf(user.id), id);
  const files = await listCollectionFiles(db, collection.id, ARCHIVE_ENTRIES_MAX + 1);
  if (files.length === 0) {
    throw new AppError("conflict", "This collection has no files to download");
  }
  if (files.length > ARCHIVE_ENTRIES_MAX) {
    throw new AppError(
      "unprocessable",
      `This collection holds more than ${ARCHIVE_ENTRIES_MAX} files, the most one download carries`,
    );
  }
  const folder = safeName(collection.name, "collection");
  return zipResponse(storage, archiveEntries(files, folder), `${folder}.zip`);
}
