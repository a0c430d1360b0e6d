import { z } from "zod";
import { jobIdSchema } from "./ids";
import { imageParamsSchema } from "./images";
import { type JobKind, jobKindSchema } from "./jobs";
import { inputImageKeySchema } from "./keys";
import { fallbackStepSchema } from "./serving";
import { jobStatusSchema } from "./status";
import { onlyOneInputImage, onlyOneInputImageError, videoParamsObject } from "./video";
import { completedDataSchema, webhookDeliveryIdSchema } from "./webhooks";

/**
 * The generator's HTTP API, requests and answers, as the web app (its one
 * typed client, `apps/web/server/generator-client.ts`) and the generator's
 * routes both use them. Every route needs the service key.
 */

const owner = {
  job_id: jobIdSchema.optional(),
  /** The job's owner, as the caller names it; every webhook of the job carries it back. */
  user_id: z.string({ error: "must be a string" }).min(1, { error: "is required" }).max(255),
};

/** POST /api/images/generate (document 000's request, with the caller's job_id). */
export const generatorImageRequestSchema = imageParamsSchema.extend(owner);
export type GeneratorImageRequest = z.infer<typeof generatorImageRequestSchema>;

/**
 * POST /api/videos/generate, with the caller's job_id and the owner. The
 * input image comes one of three ways: `input_image_key`, the key of an
 * image the caller already stored in the storage both services share (the
 * web app's way: the bytes never cross HTTP); `input_image_base64`, for
 * callers without that storage (document 004's request); or
 * `input_image_url`, fetched when the job runs.
 */
export const generatorVideoRequestSchema = videoParamsObject
  .extend({ ...owner, input_image_key: inputImageKeySchema.optional() })
  .refine(onlyOneInputImage, onlyOneInputImageError)
  .refine((v) => !(v.input_image_key && (v.input_image_base64 || v.input_image_url)), {
    error: "give input_image_key alone, without input_image_base64 or input_image_url",
    path: ["input_image_key"],
  });
export type GeneratorVideoRequest = z.infer<typeof generatorVideoRequestSchema>;
export type GeneratorRequest = GeneratorImageRequest | GeneratorVideoRequest;

/** Each kind's submit request. */
export const GENERATOR_REQUEST_SCHEMAS = {
  image: generatorImageRequestSchema,
  video: generatorVideoRequestSchema,
} as const satisfies Record<JobKind, z.ZodType>;

/** 202 to a submit: the job, new or (same job_id again) the existing one. The same shape as the web app's. */
export { jobAcceptedSchema as generatorJobAcceptedSchema } from "./jobs";

/** GET /api/jobs/{id}: the generator's view of a job, which the web app's reconciler applies. */
export const generatorJobViewSchema = z.object({
  job_id: z.string(),
  kind: jobKindSchema,
  user_id: z.string(),
  status: jobStatusSchema,
  progress: z.number().int().min(0).max(100),
  /** Runs so far (a retried provider failure is a run). */
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
  /** What failed the job (a provider error kind); absent from generators that predate it. */
  error_kind: z.string().nullish(),
  /** The model serving the job (a fallback once it moved) and its provider. */
  model: z.string().nullable(),
  provider: z.string().nullable(),
  /**
   * The provider's handle on the work, for the operator: its request id and
   * own status word (IN_QUEUE, processing…), and how many submissions the
   * job made (more than one only when the provider lost a request or its
   * work failed and was retried). Null for synchronous providers.
   */
  remote: z
    .object({
      request_id: z.string().nullable(),
      status: z.string().nullable(),
      submissions: z.number().int().nonnegative(),
    })
    .nullable(),
  fallbacks: z.array(fallbackStepSchema),
  /** The `data` of the job's `completed` webhook, once completed. */
  result: completedDataSchema.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
});
export type GeneratorJobView = z.infer<typeof generatorJobViewSchema>;

/** POST /api/jobs/{id}/cancel */
export const generatorCancelSchema = z.object({
  job_id: z.string(),
  outcome: z.enum(["canceled", "already-ended"]),
});
export type GeneratorCancel = z.infer<typeof generatorCancelSchema>;

/**
 * POST /api/webhooks/{delivery}/redeliver (generator), and the web app's
 * POST /api/admin/webhooks/{delivery}/redeliver that relays it: the delivery is queued again.
 */
export const generatorRedeliverySchema = z.object({
  success: z.literal(true),
  delivery_id: webhookDeliveryIdSchema,
  state: z.literal("pending"),
});
export type GeneratorRedelivery = z.infer<typeof generatorRedeliverySchema>;
