import { z } from "zod";
import { type JobKind, jobIdSchema } from "./jobs";
import {
  FILE_KEY_MAX_LENGTH,
  GENERATION_TIME_MAX_SECONDS,
  JOB_ERROR_CODE_MAX_LENGTH,
  PROGRESS_MAX,
  VIDEO_FILE_DURATION_MAX_SECONDS,
  VIDEO_FILE_DURATION_MIN_SECONDS,
} from "./limits";
import { servingSchema } from "./serving";
import { WIRE_STATUSES } from "./status";
import { INDEXED_TEXT_MAX_BYTES, utf8Length } from "./storable";

/**
 * The webhook payloads of documents 000 and 002, which the receivers must
 * stay compatible with. Receivers are lenient about extra fields (older
 * backends send `environment` and more); senders always send this shape.
 */

/** Longest `description` of a file a webhook may carry (characters); the generator cuts a provider's text to it. */
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 10_000;

/** A storage key a webhook reports: it lands in a unique-indexed column, so its bytes are bounded too. */
const fileKey = z
  .string()
  .min(1)
  .max(FILE_KEY_MAX_LENGTH)
  .refine((s) => utf8Length(s) <= INDEXED_TEXT_MAX_BYTES, {
    error: `must be at most ${INDEXED_TEXT_MAX_BYTES} bytes of UTF-8`,
  });

/**
 * A small WEBP of the file (or of a video's poster), Sorami's addition:
 * optional, so documents 000/002 senders that never send it stay valid.
 */
const thumbnailPath = fileKey.optional();

/**
 * Where a reported file is. `file_path` is a storage key; it is Sorami's own
 * only inside the job's folder (`{images|videos}/{job_id}/…`) and only when
 * `url` is absent or Sorami's own media route for it. Any other file — a key
 * of the sender's storage (document 002's `./generated_images/…`), a key in
 * the job's folder served from elsewhere (document 000's S3 `url`), or no
 * key at all (document 002's dev curl) — is fetched from `url` into the
 * job's folder, so a file needs a `file_path`, a `url`, or both.
 */
const fileLocation = {
  file_path: fileKey.optional(),
  url: z.string().max(4096).optional(),
};
const hasALocation = (f: { file_path?: string; url?: string }) => f.file_path !== undefined || f.url !== undefined;
const noLocation = { error: "is required unless the file has a url to fetch it from", path: ["file_path"] };

/** The prompt as submitted, so a receiver never has to reconstruct it (document 003's proposal). */
const originalPrompt = z.string().max(WEBHOOK_DESCRIPTION_MAX_LENGTH).optional();

/** One generated image in a `completed` webhook. */
export const webhookImageSchema = z
  .object({
    ...fileLocation,
    thumbnail_path: thumbnailPath,
    description: z.string().max(WEBHOOK_DESCRIPTION_MAX_LENGTH).nullish(),
    format: z.string().min(1).max(16),
    size_bytes: z.number().int().nonnegative(),
    dimensions: z.string().regex(/^\d{1,5}x\d{1,5}$/, { error: "must be WIDTHxHEIGHT" }),
  })
  .refine(hasALocation, noLocation);
export type WebhookImage = z.infer<typeof webhookImageSchema>;

/** One generated video in a `completed` webhook. `poster_path` is Sorami's addition. */
export const webhookVideoSchema = z
  .object({
    ...fileLocation,
    poster_path: fileKey.optional(),
    thumbnail_path: thumbnailPath,
    description: z.string().max(WEBHOOK_DESCRIPTION_MAX_LENGTH).nullish(),
    format: z.string().min(1).max(16),
    size_bytes: z.number().int().nonnegative(),
    duration_seconds: z
      .number()
      .nonnegative()
      .max(VIDEO_FILE_DURATION_MAX_SECONDS)
      .refine((s) => s === 0 || s >= VIDEO_FILE_DURATION_MIN_SECONDS, {
        error: `must be 0 or at least ${VIDEO_FILE_DURATION_MIN_SECONDS}`,
      }),
    dimensions: z.string().regex(/^\d{1,5}x\d{1,5}$/, { error: "must be WIDTHxHEIGHT" }),
  })
  .refine(hasALocation, noLocation);
export type WebhookVideo = z.infer<typeof webhookVideoSchema>;

export const webhookMetadataSchema = z
  .object({
    model_name: z.string().max(200).optional(),
    version: z.string().max(100).optional(),
    generation_time_seconds: z.number().nonnegative().max(GENERATION_TIME_MAX_SECONDS).optional(),
    input_tokens: z.number().int().nonnegative().optional(),
    output_size_bytes: z.number().int().nonnegative().optional(),
    timestamp: z.string().optional(),
  })
  .catchall(z.unknown());

const dataEnvelope = {
  job_id: z.string().optional(),
  metadata: webhookMetadataSchema.optional(),
  status: z.string().optional(),
  generated_at: z.string().optional(),
  original_prompt: originalPrompt,
};

/** Most files one job may report. */
export const WEBHOOK_FILES_MAX = 64;

const filesOf = <T extends z.ZodType>(item: T, noun: string) =>
  z
    .array(item, { error: `is required: a completed webhook lists its ${noun}s` })
    .min(1, { error: `must list at least one ${noun}` })
    .max(WEBHOOK_FILES_MAX, { error: `must list at most ${WEBHOOK_FILES_MAX} ${noun}s` });

/** The `data` of a `completed` webhook, per kind: its files (at least one) under the kind's key. */
export const COMPLETED_DATA_SCHEMAS = {
  image: z.object({ ...dataEnvelope, images: filesOf(webhookImageSchema, "image") }),
  video: z.object({ ...dataEnvelope, videos: filesOf(webhookVideoSchema, "video") }),
} as const satisfies Record<JobKind, z.ZodType>;
export type CompletedData<K extends JobKind = JobKind> = z.infer<(typeof COMPLETED_DATA_SCHEMAS)[K]>;

/** A completed job's data, whatever its kind (the generator's job view carries it). */
export const completedDataSchema = z.union([COMPLETED_DATA_SCHEMAS.image, COMPLETED_DATA_SCHEMAS.video]);

/** The files a completed job's data lists, whatever its kind. */
export function filesOfData(data: CompletedData): (WebhookImage | WebhookVideo)[] {
  return "images" in data ? data.images : data.videos;
}

const envelope = {
  job_id: jobIdSchema,
  /** The job's owner, as the caller of the generator named it. Never guessed. */
  user_id: z.string().max(255).optional(),
  timestamp: z.string().max(64).optional(),
  environment: z.string().max(64).optional(),
  message: z.string().max(10_000).nullish(),
  progress: z.number().int({ error: "must be a whole number" }).min(0).max(PROGRESS_MAX).optional(),
  /** Sorami's addition, from the provider call on: the model serving the job, its request id, its fallbacks. */
  serving: servingSchema.optional(),
  /** Document 003 proposes `data.original_prompt`; a sender may put it beside `user_id` instead. Both are read. */
  original_prompt: originalPrompt,
};
const errorMessage = z.string().max(10_000);

/**
 * The webhook payload, one variant per status: a `completed` event carries
 * its files (`data`, with at least one file under the kind's key) and a
 * `failed` event its reason (`error_message`), by type. The receiver's path
 * names the kind.
 */
function payloadSchemaOf<D extends z.ZodType>(data: D) {
  return z.discriminatedUnion(
    "status",
    [
      z.object({
        ...envelope,
        status: z.enum(["pending", "initializing", "generating", "saving"]),
        error_message: errorMessage.nullish(),
      }),
      z.object({
        ...envelope,
        status: z.literal("completed"),
        error_message: errorMessage.nullish(),
        // Parsed even when absent, so a completed event without data names the files it lacks.
        data: z.preprocess((value) => value ?? {}, data),
      }),
      z.object({
        ...envelope,
        status: z.literal("failed"),
        error_message: z.string({ error: "is required: a failed webhook says why" }).max(10_000),
        /**
         * What failed it, in a word (the provider error kinds: rate_limit, timeout, transient,
         * content_blocked, no_output, invalid_request), for the operator's figures. Optional:
         * senders that predate it leave it out.
         */
        error_code: z.string().max(JOB_ERROR_CODE_MAX_LENGTH).nullish(),
      }),
      z.object({ ...envelope, status: z.literal("canceled"), error_message: errorMessage.nullish() }),
    ],
    { error: `must be one of ${WIRE_STATUSES.join(", ")}` },
  );
}

export const WEBHOOK_PAYLOAD_SCHEMAS = {
  image: payloadSchemaOf(COMPLETED_DATA_SCHEMAS.image),
  video: payloadSchemaOf(COMPLETED_DATA_SCHEMAS.video),
} as const satisfies Record<JobKind, z.ZodType>;
/** The payload a receiver of this kind accepts. */
export type WebhookPayloadOf<K extends JobKind> = z.infer<(typeof WEBHOOK_PAYLOAD_SCHEMAS)[K]>;
/** A payload of either kind (a `completed` one carries the data of one kind or the other). */
export type WebhookPayload = z.infer<ReturnType<typeof payloadSchemaOf<typeof completedDataSchema>>>;

/** A payload without the fields its sender fills in for every event (ids, time, environment), variant by variant. */
export type WebhookEvent = WebhookPayload extends infer P
  ? P extends unknown
    ? Omit<P, "job_id" | "user_id" | "timestamp" | "environment">
    : never
  : never;

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
