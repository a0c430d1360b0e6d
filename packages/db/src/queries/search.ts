import { codePointLength, type JobKind, type JobStatus, SEARCH_SUBSTRING_MIN_LENGTH } from "@sorami/contracts";
import { and, desc, eq, gte, inArray, lt, notInArray, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import {
  collectionItems,
  favorites,
  type Generation,
  generationSearchText,
  generationSearchVector,
  generations,
  NO_SPACE_SCRIPT,
  phraseQuery,
} from "../schema";
import { type Cursor, listGenerationsForOwner } from "./generations";
import { favoritesInScope, generationsInScope, type LibraryScope } from "./scope";

/** What a library page may be narrowed by, beyond kind and status. */
export type LibraryFilters = {
  /** Search terms (see searchTerms in contracts): every one must be found. */
  terms?: readonly string[];
  model?: string;
  favorite?: boolean;
  /** A collection already checked to be in the scope. */
  collectionId?: string;
  from?: Date;
  to?: Date;
};

export type LibraryPageOptions = {
  limit: number;
  cursor?: Cursor | null;
  kind?: JobKind;
  statuses?: readonly JobStatus[] | null;
  filters?: LibraryFilters;
};

/** `%term%` for ILIKE, the term's own `%`, `_` and `\` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One search term, case-insensitive, in the prompt or the negative prompt,
 * each way served by an index:
 * - a term with characters of a script written without spaces (Japanese,
 *   Chinese, Thai…) is found as a phrase of those characters, each one a
 *   word of the full-text form: 猫 finds 黒い猫が, 窓辺 finds 窓辺で, even as
 *   one or two characters, which have no trigram;
 * - a term of SEARCH_SUBSTRING_MIN_LENGTH characters or more is found
 *   anywhere, inside words too ("ligh" finds "lighthouse"): ILIKE, served by
 *   the trigram index;
 * - a shorter one is a whole word ("ai" finds "AI art", not "rain"): `simple`
 *   full-text, whose statistics let the planner choose well (a prefix query
 *   has none: measured, a rare "ai:*" walked all 100k rows, 0.6 s);
 * - a term with no letter or digit ("%") is looked for anywhere, unindexed.
 */
export function termCondition(term: string): SQL {
  if (NO_SPACE_SCRIPT.test(term)) {
    return sql`${generationSearchVector} @@ ${phraseQuery(term)}`;
  }
  if (codePointLength(term) >= SEARCH_SUBSTRING_MIN_LENGTH || !/[\p{L}\p{N}]/u.test(term)) {
    return sql`${generationSearchText} ilike ${containsPattern(term)}`;
  }
  return sql`${generationSearchVector} @@ plainto_tsquery('simple'::regconfig, ${term}::text)`;
}

function hasFilters(f: LibraryFilters | undefined): f is LibraryFilters {
  return Boolean(
    f &&
      ((f.terms?.length ?? 0) > 0 ||
        f.model !== undefined ||
        f.favorite !== undefined ||
        f.collectionId !== undefined ||
        f.from !== undefined ||
        f.to !== undefined),
  );
}

/**
 * Keyset page of the scope's generations, newest first, narrowed by kind,
 * status and the library's filters. Without library filters it is the
 * gallery's own prepared query; with them the same order and cursor, so
 * paging through a search has no gaps and no repeats.
 */
export async function listLibraryPage(
  db: Tx,
  scope: LibraryScope,
  opts: LibraryPageOptions,
): Promise<{ rows: Generation[]; next: Cursor | null }> {
  const filters = opts.filters;
  if (!hasFilters(filters)) {
    return listGenerationsForOwner(db, scope.ownerId, opts);
  }
  const conditions: SQL[] = [generationsInScope(scope)];
  if (opts.kind) {
    conditions.push(eq(generations.kind, opts.kind));
  }
  if (opts.statuses) {
    conditions.push(inArray(generations.status, [...opts.statuses]));
  }
  for (const term of filters.terms ?? []) {
    conditions.push(termCondition(term));
  }
  if (filters.model !== undefined) {
    conditions.push(eq(generations.model, filters.model));
  }
  if (filters.favorite !== undefined) {
    const starred = db.select({ id: favorites.generationId }).from(favorites).where(favoritesInScope(scope));
    conditions.push(filters.favorite ? inArray(generations.id, starred) : notInArray(generations.id, starred));
  }
  if (filters.collectionId !== undefined) {
    conditions.push(
      inArray(
        generations.id,
        db
          .select({ id: collectionItems.generationId })
          .from(collectionItems)
          .where(eq(collectionItems.collectionId, filters.collectionId)),
      ),
    );
  }
  if (filters.from) {
    conditions.push(gte(generations.createdAt, filters.from));
  }
  if (filters.to) {
    conditions.push(lt(generations.createdAt, filters.to));
  }
  if (opts.cursor) {
    conditions.push(
      sql`(${generations.createdAt}, ${generations.id}) < (${opts.cursor.createdAt.toISOString()}::timestamptz, ${opts.cursor.id})`,
    );
  }
  const rows = await db
    .select()
    .from(generations)
    .where(and(...conditions))
    .orderBy(desc(generations.createdAt), desc(generations.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > opts.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
