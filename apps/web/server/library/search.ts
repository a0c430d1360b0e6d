import {
  AppError,
  type GalleryFiltersQuery,
  type GalleryPage,
  type JobKind,
  type LibraryQuery,
  searchTerms,
  statusesOf,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { getCollection } from "@sorami/db/queries/collections";
import { starsOf } from "@sorami/db/queries/favorites";
import { filesOf } from "@sorami/db/queries/generations";
import { scopeOf } from "@sorami/db/queries/scope";
import { listLibraryPage } from "@sorami/db/queries/search";
import { toGalleryItem } from "../jobs/present";
import { decodeCursor, encodeCursor } from "../jobs/read";
import type { SessionUser } from "../session";

/**
 * A page of the user's library, newest first: the gallery of one kind
 * (GET /api/{images,videos}/user) or of every kind (GET /api/library),
 * searched and filtered. Another user's collection is a 404, as if none.
 */
export async function listLibrary(
  db: Database,
  user: SessionUser,
  kind: JobKind | null,
  query: GalleryFiltersQuery | LibraryQuery,
): Promise<GalleryPage> {
  const scope = scopeOf(user.id);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.collection && !(await getCollection(db, scope, query.collection))) {
    throw new AppError("not_found", "Collection not found", { field: "collection" });
  }
  const { rows, next } = await listLibraryPage(db, scope, {
    limit: query.limit,
    cursor,
    kind: kind ?? ("kind" in query ? query.kind : undefined),
    statuses: statusesOf(query.status),
    filters: {
      terms: searchTerms(query.q),
      model: query.model || undefined,
      favorite: query.favorite,
      collectionId: query.collection,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    },
  });
  const ids = rows.map((r) => r.id);
  const [files, stars] = await Promise.all([filesOf(db, ids), starsOf(db, scope, ids)]);
  return {
    generations: rows.map((r) => toGalleryItem(r, files.get(r.id) ?? [], stars.get(r.id))),
    next_cursor: next ? encodeCursor(next) : null,
  };
}
