import { AppError, type FavoriteState, mediaFileIdSchema } from "@sorami/contracts";
import type { Database, MediaFile } from "@sorami/db";
import { getFileInScope, starFile, starGeneration, unstarFile, unstarGeneration } from "@sorami/db/queries/favorites";
import { type LibraryScope, scopeOf } from "@sorami/db/queries/scope";
import { ownedJob } from "../jobs/read";
import type { SessionUser } from "../session";

/** One of the scope's files by id, else 404 (anyone else's, a deleted job's, or none). */
export async function fileInScope(db: Database, scope: LibraryScope, rawId: string): Promise<MediaFile> {
  const id = mediaFileIdSchema.safeParse(rawId);
  const file = id.success ? await getFileInScope(db, scope, id.data) : null;
  if (!file) {
    throw new AppError("not_found", "File not found");
  }
  return file;
}

/** Stars or unstars one of the user's generations (PUT / DELETE); the same call twice changes nothing. */
export async function setGenerationFavorite(
  db: Database,
  user: SessionUser,
  id: string,
  favorite: boolean,
): Promise<FavoriteState> {
  const g = await ownedJob(db, user, null, id);
  const scope = scopeOf(user.id);
  await (favorite ? starGeneration(db, scope, g.id) : unstarGeneration(db, scope, g.id));
  return { favorite };
}

/** Stars or unstars one file of one of the user's generations. */
export async function setFileFavorite(
  db: Database,
  user: SessionUser,
  fileId: string,
  favorite: boolean,
): Promise<FavoriteState> {
  const scope = scopeOf(user.id);
  const file = await fileInScope(db, scope, fileId);
  await (favorite ? starFile(db, scope, file) : unstarFile(db, scope, file.id));
  return { favorite };
}
