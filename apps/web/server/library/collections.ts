import {
  AppError,
  COLLECTION_ITEMS_MAX,
  COLLECTIONS_PER_USER_MAX,
  type Collection,
  type CollectionList,
  libraryIdSchema,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import {
  addCollectionItem,
  type CollectionItemRef,
  type CollectionWithCounts,
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  removeCollectionItem,
  renameCollection,
} from "@sorami/db/queries/collections";
import { type LibraryScope, scopeOf } from "@sorami/db/queries/scope";
import { ownedJob } from "../jobs/read";
import type { SessionUser } from "../session";
import { fileInScope } from "./favorites";

export function toCollection(c: CollectionWithCounts): Collection {
  return {
    id: c.id,
    name: c.name,
    generation_count: c.generationCount,
    file_count: c.fileCount,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

/** One of the scope's collections, else 404: anyone else's is indistinguishable from none. */
export async function collectionInScope(db: Database, scope: LibraryScope, rawId: string) {
  const id = libraryIdSchema.safeParse(rawId);
  const found = id.success ? await getCollection(db, scope, id.data) : null;
  if (!found) {
    throw new AppError("not_found", "Collection not found");
  }
  return found;
}

export async function listUserCollections(db: Database, user: SessionUser): Promise<CollectionList> {
  const rows = await listCollections(db, scopeOf(user.id), COLLECTIONS_PER_USER_MAX);
  return { collections: rows.map(toCollection) };
}

export async function getUserCollection(db: Database, user: SessionUser, id: string): Promise<Collection> {
  return toCollection(await collectionInScope(db, scopeOf(user.id), id));
}

export async function createUserCollection(db: Database, user: SessionUser, name: string): Promise<Collection> {
  const scope = scopeOf(user.id);
  const row = await createCollection(db, scope, name, COLLECTIONS_PER_USER_MAX);
  if (!row) {
    throw new AppError(
      "conflict",
      `You already have ${COLLECTIONS_PER_USER_MAX} collections, the most one can keep; delete one first`,
    );
  }
  return toCollection({ ...row, generationCount: 0, fileCount: 0 });
}

export async function renameUserCollection(
  db: Database,
  user: SessionUser,
  id: string,
  name: string,
): Promise<Collection> {
  const scope = scopeOf(user.id);
  const found = await collectionInScope(db, scope, id);
  await renameCollection(db, scope, found.id, name);
  return toCollection(await collectionInScope(db, scope, found.id));
}

/** Deletes a collection and its links; what it held stays in the library. */
export async function deleteUserCollection(db: Database, user: SessionUser, id: string): Promise<void> {
  const scope = scopeOf(user.id);
  const found = await collectionInScope(db, scope, id);
  await deleteCollection(db, scope, found.id);
}

/** What a PUT or DELETE on /api/collections/{id}/{generations,files}/{item} names, checked to be the user's. */
async function itemRef(
  db: Database,
  user: SessionUser,
  what: "generation" | "file",
  itemId: string,
): Promise<CollectionItemRef> {
  if (what === "generation") {
    const g = await ownedJob(db, user, null, itemId);
    return { generationId: g.id, mediaFileId: null };
  }
  const file = await fileInScope(db, scopeOf(user.id), itemId);
  return { generationId: file.generationId, mediaFileId: file.id };
}

/** Adds (PUT) or removes (DELETE) a generation or a file; both idempotent. Answers the collection's new counts. */
export async function setCollectionItem(
  db: Database,
  user: SessionUser,
  collectionId: string,
  what: "generation" | "file",
  itemId: string,
  present: boolean,
): Promise<Collection> {
  const scope = scopeOf(user.id);
  const collection = await collectionInScope(db, scope, collectionId);
  const item = await itemRef(db, user, what, itemId);
  if (present) {
    const outcome = await addCollectionItem(db, collection.id, item, COLLECTION_ITEMS_MAX);
    if (outcome === "full") {
      throw new AppError("conflict", `This collection holds ${COLLECTION_ITEMS_MAX} items, the most one can hold`);
    }
  } else {
    await removeCollectionItem(db, collection.id, item);
  }
  return toCollection(await collectionInScope(db, scope, collection.id));
}
