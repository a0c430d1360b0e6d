import { z } from "zod";
import type { JobKind } from "./jobs";

/**
 * The request bodies of a backend that implements the product documents
 * alone (GENERATOR_API=documents), exactly as they print them: document 000
 * for images, document 004 (with its proposed `job_id` and `user_id`) for
 * videos. Nothing else is sent: no `input_image_key` (such a backend does
 * not share Sorami's storage), no Sorami-only parameter.
 */

/** POST {GENERATOR_URL}/api/images/generate (document 000). */
export const documentsImageRequestSchema = z.strictObject({
  prompt: z.string(),
  job_id: z.string(),
  user_id: z.string(),
  /** An image the job starts from: the user's URL, or a signed, expiring link to Sorami's copy. */
  input_image_url: z.string().optional(),
  num_images: z.number().int(),
  size: z.string(),
  format: z.string(),
  style: z.string(),
  quality: z.string(),
});
export type DocumentsImageRequest = z.infer<typeof documentsImageRequestSchema>;

/** POST {GENERATOR_URL}/api/videos/generate (document 004's body, with job_id and user_id). */
export const documentsVideoRequestSchema = z.strictObject({
  prompt: z.string(),
  aspect_ratio: z.string(),
  duration_seconds: z.number().int(),
  number_of_videos: z.number().int(),
  person_generation: z.string(),
  /** The image a video starts from, as document 004 sends it: base64 of its bytes. */
  input_image_base64: z.string().optional(),
  job_id: z.string(),
  user_id: z.string(),
});
export type DocumentsVideoRequest = z.infer<typeof documentsVideoRequestSchema>;

export type DocumentsRequest = DocumentsImageRequest | DocumentsVideoRequest;

export const DOCUMENTS_REQUEST_SCHEMAS = {
  image: documentsImageRequestSchema,
  video: documentsVideoRequestSchema,
} as const satisfies Record<JobKind, z.ZodType>;

/**
 * What such a backend answers a submit. The documents do not say (document
 * 004's Next.js route answers `{ job_id, status, message }`); any 2xx is
 * taken as accepted, and only a `job_id` other than the one sent matters:
 * the backend made its own (document 003's problem), and its webhooks would
 * never reach this job.
 */
export const documentsAcceptedSchema = z.looseObject({ job_id: z.unknown().optional() });
