import { and, eq, isNull, type SQL } from "drizzle-orm";
import { collections, favorites, generations, shareLinks } from "../schema";

/**
 * Whose library a query reads: today one user's. Every library query takes a
 * scope and builds its conditions here, so the day libraries belong to a
 * workspace, this file changes and the queries do not.
 */
export type LibraryScope = { ownerId: string };

export const scopeOf = (ownerId: string): LibraryScope => ({ ownerId });

/** The scope's generations, deleted ones hidden. */
export function generationsInScope(scope: LibraryScope): SQL {
  return and(eq(generations.authorId, scope.ownerId), isNull(generations.deletedAt)) as SQL;
}

export function collectionsInScope(scope: LibraryScope): SQL {
  return eq(collections.ownerId, scope.ownerId);
}

/** Stars are a person's own, whoever owns what they starred. */
export function favoritesInScope(scope: LibraryScope): SQL {
  return eq(favorites.ownerId, scope.ownerId);
}

export function sharesInScope(scope: LibraryScope): SQL {
  return eq(shareLinks.ownerId, scope.ownerId);
}
