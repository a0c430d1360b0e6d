import { z } from "zod";
import { galleryGenerationSchema } from "./jobs";
import type { JobStatus } from "./status";

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

const detailExtra = {
  /** When the generator first reported work on it; null while it waits, or if it never started. */
  started_at: z.string().nullable(),
  updated_at: z.string(),
  message: z.string().nullable(),
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
