import { z } from "zod";
import { jobIdSchema } from "./jobs";
import { servingSchema } from "./serving";
import { WIRE_STATUSES } from "./status";

/**
 * The webhook payloads of documents 000 and 002, which the receivers must
 * stay compatible with. Receivers are lenient about extra fields (older
 * backends send `environment` and more); senders always send this shape.
 */

/**
 * A small WEBP of the file (or of a video's poster), Sorami's addition:
 * optional, so documents 000/002 senders that never send it stay valid.
 */
const thumbnailPath = z.string().min(1).max(1024).optional();

/** One generated image in a `completed` webhook. `file_path` is the storage key. */
export const webhookImageSchema = z.object({
  file_path: z.string().min(1).max(1024),
  url: z.string().max(4096).optional(),
  thumbnail_path: thumbnailPath,
  description: z.string().max(10_000).nullish(),
  format: z.string().min(1).max(16),
  size_bytes: z.number().int().nonnegative(),
  dimensions: z.string().regex(/^\d{1,5}x\d{1,5}$/, { error: "must be WIDTHxHEIGHT" }),
});
export type WebhookImage = z.infer<typeof webhookImageSchema>;

/** One generated video in a `completed` webhook. `poster_path` is Sorami's addition. */
export const webhookVideoSchema = z.object({
  file_path: z.string().min(1).max(1024),
  url: z.string().max(4096).optional(),
  poster_path: z.string().min(1).max(1024).optional(),
  thumbnail_path: thumbnailPath,
  description: z.string().max(10_000).nullish(),
  format: z.string().min(1).max(16),
  size_bytes: z.number().int().nonnegative(),
  duration_seconds: z.number().nonnegative(),
  dimensions: z.string().regex(/^\d{1,5}x\d{1,5}$/, { error: "must be WIDTHxHEIGHT" }),
});
export type WebhookVideo = z.infer<typeof webhookVideoSchema>;

export const webhookMetadataSchema = z
  .object({
    model_name: z.string().max(200).optional(),
    version: z.string().max(100).optional(),
    generation_time_seconds: z.number().nonnegative().optional(),
    input_tokens: z.number().int().nonnegative().optional(),
    output_size_bytes: z.number().int().nonnegative().optional(),
    timestamp: z.string().optional(),
  })
  .catchall(z.unknown());

export const webhookDataSchema = z.object({
  job_id: z.string().optional(),
  images: z.array(webhookImageSchema).max(64).optional(),
  videos: z.array(webhookVideoSchema).max(64).optional(),
  metadata: webhookMetadataSchema.optional(),
  status: z.string().optional(),
  generated_at: z.string().optional(),
  /** The prompt as submitted, so a receiver never has to reconstruct it (document 003's TODO). */
  original_prompt: z.string().optional(),
});

export const webhookPayloadSchema = z.object({
  job_id: jobIdSchema,
  /** The job's owner, as the caller of the generator named it. Never guessed. */
  user_id: z.string().max(255).optional(),
  status: z.enum(WIRE_STATUSES, { error: `must be one of ${WIRE_STATUSES.join(", ")}` }),
  timestamp: z.string().max(64).optional(),
  environment: z.string().max(64).optional(),
  message: z.string().max(10_000).nullish(),
  progress: z.number().min(0).max(100).optional(),
  error_message: z.string().max(10_000).nullish(),
  data: webhookDataSchema.optional(),
  /** Sorami's addition, from the provider call on: the model serving the job, its request id, its fallbacks. */
  serving: servingSchema.optional(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/**
 * A delivery's id: the Standard Webhooks `webhook-id` the generator makes
 * (`msg_` and up to 64 letters and digits), also how an admin names it.
 */
export const WEBHOOK_DELIVERY_ID_PATTERN = /^msg_[A-Za-z0-9]{1,64}$/;
export const webhookDeliveryIdSchema = z.string().regex(WEBHOOK_DELIVERY_ID_PATTERN, { error: "is not a delivery id" });

/** Receiver answers (document 002). */
export const webhookAckSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  job_id: z.string().optional(),
  images_count: z.number().int().optional(),
  videos_count: z.number().int().optional(),
  processing_time_ms: z.number().optional(),
});
export type WebhookAck = z.infer<typeof webhookAckSchema>;
