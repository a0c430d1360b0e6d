import { z } from "zod";
import { modelIdSchema } from "./ids";
import { galleryGenerationSchema, jobIdSchema } from "./jobs";
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from "./limits";
import { fallbackStepSchema } from "./serving";
import type { JobStatus } from "./status";
import { storableDatetimeSchema } from "./storable";

/**
 * The gallery's status filter (`?status=` on GET /api/{images,videos}/user).
 * Each value names a group of job statuses; `all` (or no parameter) is every
 * job. `failed` is every job that ended without a result, canceled ones too.
 */
export const GALLERY_STATUS_FILTERS = {
  all: null,
  completed: ["COMPLETED"],
  in_progress: ["PENDING", "INITIALIZING", "GENERATING", "SAVING"],
  failed: ["FAILED", "CANCELED"],
} as const satisfies Record<string, readonly JobStatus[] | null>;
export type GalleryStatusFilter = keyof typeof GALLERY_STATUS_FILTERS;
export const GALLERY_STATUS_FILTER_VALUES = Object.keys(GALLERY_STATUS_FILTERS) as GalleryStatusFilter[];

export const galleryStatusFilterSchema = z.enum(GALLERY_STATUS_FILTER_VALUES as [GalleryStatusFilter], {
  error: `must be one of ${GALLERY_STATUS_FILTER_VALUES.join(", ")}`,
});

/** The job statuses a filter keeps, or null for every status. */
export function statusesOf(filter: GalleryStatusFilter): readonly JobStatus[] | null {
  return GALLERY_STATUS_FILTERS[filter];
}

/**
 * A gallery cursor, once decoded from its base64url JSON: the last row's creation time and id.
 * A client can forge one, so the time is checked against what `timestamptz` holds (year 0000
 * passes a plain ISO check and then fails the database's cast).
 */
export const galleryCursorSchema = z.tuple([storableDatetimeSchema, jobIdSchema]);

/** The longest `?cursor=` read (cursors this API writes are about 90 characters). */
export const GALLERY_CURSOR_MAX_LENGTH = 512;

/** GET /api/{images,videos}/user?cursor=&limit=&status= */
export const galleryQuerySchema = z.object({
  cursor: z.string().max(GALLERY_CURSOR_MAX_LENGTH).optional(),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(PAGE_SIZE_MAX, { error: `must be at most ${PAGE_SIZE_MAX}` })
    .default(PAGE_SIZE_DEFAULT),
  status: galleryStatusFilterSchema.default("all"),
  /** Only jobs of this catalog model. */
  model: modelIdSchema.optional(),
});
export type GalleryQuery = z.infer<typeof galleryQuerySchema>;

const detailExtra = {
  /** When the generator first reported work on it; null while it waits, or if it never started. */
  started_at: z.string().nullable(),
  updated_at: z.string(),
  message: z.string().nullable(),
  /** The model the submission asked for (or the default it got); `model` differs when a fallback served it. */
  requested_model: z.string().nullable(),
  /** The provider's own id for the work (fal request_id, Replicate prediction id, Veo operation), once known. */
  request_id: z.string().nullable(),
  /** How the job moved to fallback models, in order (empty when the model asked for served it). */
  fallbacks: z.array(fallbackStepSchema),
};

/** GET /api/{images,videos}/{id}: one generation with its timings, for the detail view. */
export const generationDetailSchema = z.union([
  galleryGenerationSchema.options[0].extend(detailExtra),
  galleryGenerationSchema.options[1].extend(detailExtra),
]);
export type GenerationDetail = z.infer<typeof generationDetailSchema>;
/** GET /api/{kind}s/{id}, per kind. */
export const DETAIL_SCHEMAS = {
  image: generationDetailSchema.options[0],
  video: generationDetailSchema.options[1],
} as const;
