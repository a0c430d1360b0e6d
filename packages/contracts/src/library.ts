import { z } from "zod";
import { galleryQuerySchema } from "./gallery";
import { jobIdSchema } from "./ids";
import { plainTextSchema } from "./images";
import { jobKindSchema } from "./jobs";
import { storableDatetimeSchema } from "./storable";

/**
 * The library: search and filters over a user's generations, favourites,
 * collections and share links. Requests and answers of every library
 * endpoint, and their limits.
 */

/**
 * `?q=`: a search is a few words taken from a prompt, not a prompt; bounded
 * so its terms (each one more condition and LIKE pattern) stay few and short.
 */
export const SEARCH_QUERY_MAX_LENGTH = 200;
/** Terms of one search (words split on white space); each must be found. More would only slow the query. */
export const SEARCH_TERMS_MAX = 8;
/**
 * A term this long or longer is looked for anywhere in the text (`ILIKE`),
 * served by the trigram index; a shorter one has no trigram and is a whole
 * word instead, through the full-text index (terms in scripts without
 * spaces are phrases of characters at any length: see the db's search).
 */
export const SEARCH_SUBSTRING_MIN_LENGTH = 3;
/** A collection's name, as a person types it. */
export const COLLECTION_NAME_MAX_LENGTH = 100;
/** Collections per user: enough for any way of sorting work, few enough that the list is one page. */
export const COLLECTIONS_PER_USER_MAX = 200;
/** Items (whole generations and single files) in one collection: its share page and archive stay bounded. */
export const COLLECTION_ITEMS_MAX = 1000;
/**
 * Files in one ZIP download (a generation, a collection). The archive is
 * streamed, so memory does not grow with it; the bound keeps one request
 * from holding a connection to the store for hours.
 */
export const ARCHIVE_ENTRIES_MAX = 500;
/** Random bytes in a share token (256 bits: unguessable; 43 characters of base64url). */
export const SHARE_TOKEN_BYTES = 32;
/** A share link's shortest and longest life; `null` is a link that never expires. */
export const SHARE_EXPIRY_MIN_SECONDS = 3600;
export const SHARE_EXPIRY_MAX_SECONDS = 30 * 24 * 3600;
/** Bodies of the collection endpoints: a name is at most 100 characters (400 bytes of UTF-8) and its JSON. */
export const COLLECTION_BODY_MAX_BYTES = 4 * 1024;
/** Body of POST /api/shares: two ids and a number. */
export const SHARE_BODY_MAX_BYTES = 4 * 1024;
/** Live share links per user (each is a row to list and check). */
export const SHARES_PER_USER_MAX = 500;

/** Ids the library hands out (collections, share links): UUIDs, checked like job ids before any query. */
export const libraryIdSchema = jobIdSchema;
/** A media file's id (media_files.id). */
export const mediaFileIdSchema = jobIdSchema;

const booleanParam = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((value) => value === "true");

/**
 * The library's filters, on top of the gallery's paging and status filter:
 * `q` searches prompts and negative prompts, `model` is one model id,
 * `favorite` keeps starred generations (or generations with a starred file;
 * `false`: those without), `collection` one of the user's collections, and
 * `from`/`to` a creation time range (`from` included, `to` excluded).
 */
export const libraryFilterFields = {
  q: plainTextSchema(SEARCH_QUERY_MAX_LENGTH).optional(),
  // `model` comes from galleryQuerySchema: a catalog model id (modelIdSchema).
  favorite: booleanParam.optional(),
  collection: libraryIdSchema.optional(),
  from: storableDatetimeSchema.optional(),
  to: storableDatetimeSchema.optional(),
};

const rangeInOrder = (query: { from?: string; to?: string }) =>
  !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to);
const rangeIssue = { error: "must not be before from", path: ["to"] };

/** GET /api/{images,videos}/user: the gallery's query with the library's filters. */
export const galleryFiltersQuerySchema = galleryQuerySchema
  .extend(libraryFilterFields)
  .refine(rangeInOrder, rangeIssue);
export type GalleryFiltersQuery = z.infer<typeof galleryFiltersQuerySchema>;

/** GET /api/library: the same, over every kind unless `kind` names one. */
export const libraryQuerySchema = galleryQuerySchema
  .extend({ ...libraryFilterFields, kind: jobKindSchema.optional() })
  .refine(rangeInOrder, rangeIssue);
export type LibraryQuery = z.infer<typeof libraryQuerySchema>;

/** The terms of a search: words split on white space, at most SEARCH_TERMS_MAX, each kept once. */
export function searchTerms(q: string | undefined): string[] {
  const words = (q ?? "").split(/\s+/u).filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, SEARCH_TERMS_MAX);
}

/** PUT/DELETE /api/favorites/{generations,files}/{id}: the starred state after the call. */
export const favoriteStateSchema = z.object({ favorite: z.boolean() });
export type FavoriteState = z.infer<typeof favoriteStateSchema>;

const collectionNameSchema = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, { error: "is required" })
  .pipe(plainTextSchema(COLLECTION_NAME_MAX_LENGTH));

/** POST /api/collections */
export const createCollectionSchema = z.strictObject({ name: collectionNameSchema });
/** PATCH /api/collections/{id} */
export const renameCollectionSchema = z.strictObject({ name: collectionNameSchema });

/** A collection and its counts: whole generations, and single files kept apart from their generation. */
export const collectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  generation_count: z.number().int().nonnegative(),
  file_count: z.number().int().nonnegative(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Collection = z.infer<typeof collectionSchema>;

/** GET /api/collections */
export const collectionListSchema = z.object({ collections: z.array(collectionSchema) });
export type CollectionList = z.infer<typeof collectionListSchema>;

/** POST /api/shares: one generation or one collection, for `expires_in_seconds` (null: never). */
export const createShareSchema = z
  .strictObject({
    generation_id: jobIdSchema.optional(),
    collection_id: libraryIdSchema.optional(),
    expires_in_seconds: z
      .number({ error: "must be a number of seconds, or null for never" })
      .int({ error: "must be a whole number" })
      .min(SHARE_EXPIRY_MIN_SECONDS, { error: `must be at least ${SHARE_EXPIRY_MIN_SECONDS} (one hour)` })
      .max(SHARE_EXPIRY_MAX_SECONDS, { error: `must be at most ${SHARE_EXPIRY_MAX_SECONDS} (30 days)` })
      .nullable(),
  })
  .refine((s) => (s.generation_id === undefined) !== (s.collection_id === undefined), {
    error: "give either generation_id or collection_id",
    path: ["generation_id"],
  });
export type CreateShare = z.infer<typeof createShareSchema>;

/** GET /api/shares?generation=|collection= */
export const shareListQuerySchema = z.object({
  generation: jobIdSchema.optional(),
  collection: libraryIdSchema.optional(),
});

/** A share link as its owner sees it. The link itself is shown once, when made: only its hash is kept. */
export const shareSchema = z.object({
  id: z.string(),
  generation_id: z.string().nullable(),
  collection_id: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
});
export type Share = z.infer<typeof shareSchema>;

/** POST /api/shares → 201: the link's path (`/s/{token}`), to copy now. */
export const shareCreatedSchema = shareSchema.extend({ token: z.string(), path: z.string() });
export type ShareCreated = z.infer<typeof shareCreatedSchema>;

export const shareListSchema = z.object({ shares: z.array(shareSchema) });
export type ShareList = z.infer<typeof shareListSchema>;

/** A file behind a share link: served through the link's own token, by the file's id. */
export const sharedFileSchema = z.object({
  id: z.string(),
  url: z.string(),
  thumbnail_url: z.string().nullable(),
  poster_url: z.string().nullable(),
  download_url: z.string(),
  format: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  duration_seconds: z.number().nullable(),
});
export type SharedFile = z.infer<typeof sharedFileSchema>;

/** One shared generation: its media, prompt and model, and nothing else about it or its owner. */
export const sharedGenerationSchema = z.object({
  kind: jobKindSchema,
  prompt: z.string(),
  model: z.string().nullable(),
  files: z.array(sharedFileSchema),
});
export type SharedGeneration = z.infer<typeof sharedGenerationSchema>;

/** GET /api/s/{token}: what a share link shows (a collection's name is its title). */
export const sharedViewSchema = z.object({
  kind: z.enum(["generation", "collection"]),
  title: z.string().nullable(),
  expires_at: z.string().nullable(),
  generations: z.array(sharedGenerationSchema),
});
export type SharedView = z.infer<typeof sharedViewSchema>;

/** `?variant=` of a shared file: the file itself, its thumbnail, or a video's poster. */
export const SHARED_FILE_VARIANTS = ["file", "thumbnail", "poster"] as const;
export const sharedFileQuerySchema = z.object({
  variant: z.enum(SHARED_FILE_VARIANTS, { error: `must be one of ${SHARED_FILE_VARIANTS.join(", ")}` }).default("file"),
  download: z.enum(["1"], { error: "must be 1" }).optional(),
});
