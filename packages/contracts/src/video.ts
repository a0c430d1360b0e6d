import { z } from "zod";
import { AppError } from "./errors";
import { fileStateFields } from "./file-state";
import { modelIdSchema } from "./ids";
import { httpUrlSchema, plainTextSchema, promptSchema, seedSchema } from "./images";
import { PROMPT_MAX_LENGTH } from "./limits";
import { fileModerationSchema } from "./moderation";

export const VIDEO_ASPECT_RATIOS = ["16:9", "9:16", "1:1"] as const;
export const PERSON_GENERATION_MODES = ["ALLOW_ALL", "ALLOW_ADULT", "DONT_ALLOW"] as const;
export type VideoAspectRatio = (typeof VIDEO_ASPECT_RATIOS)[number];

/** Document 004's form defaults. */
export const VIDEO_DEFAULTS = {
  aspect_ratio: "16:9",
  duration_seconds: 8,
  number_of_videos: 1,
  person_generation: "ALLOW_ALL",
} as const;

/**
 * What the schema itself bounds: types and sane ranges. What a model can
 * actually serve is narrower: its catalog capabilities (catalog-rules.ts).
 */
export const VIDEO_DURATION_MAX_SECONDS = 60;
export const NUM_VIDEOS_MAX = 8;
/** An input image, decoded, may not exceed this (413 beyond). */
export const INPUT_IMAGE_MAX_BYTES = 7 * 1024 * 1024;
/** Video submissions carry the input image as base64 (4/3 of its size) plus JSON. */
export const VIDEO_SUBMIT_BODY_MAX_BYTES = Math.ceil((INPUT_IMAGE_MAX_BYTES * 4) / 3) + 64 * 1024;

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

export const onlyOneInputImage = (v: { input_image_base64?: string; input_image_url?: string }) =>
  !(v.input_image_base64 && v.input_image_url);
export const onlyOneInputImageError = {
  error: "give input_image_base64 or input_image_url, not both",
  path: ["input_image_url"],
};

export const videoParamsObject = z.strictObject({
  prompt: promptSchema,
  /** A catalog model id; absent: the operator's default video model. */
  model: modelIdSchema.optional(),
  aspect_ratio: enumOf(VIDEO_ASPECT_RATIOS).default(VIDEO_DEFAULTS.aspect_ratio),
  duration_seconds: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(VIDEO_DURATION_MAX_SECONDS, { error: `must be at most ${VIDEO_DURATION_MAX_SECONDS}` })
    .default(VIDEO_DEFAULTS.duration_seconds),
  number_of_videos: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(NUM_VIDEOS_MAX, { error: `must be at most ${NUM_VIDEOS_MAX}` })
    .default(VIDEO_DEFAULTS.number_of_videos),
  person_generation: enumOf(PERSON_GENERATION_MODES).default(VIDEO_DEFAULTS.person_generation),
  negative_prompt: plainTextSchema(PROMPT_MAX_LENGTH).optional(),
  /** Base64 (optionally a data: URL). Decoded size and real type are checked after parsing. */
  input_image_base64: z
    .string({ error: "must be a string" })
    .max(VIDEO_SUBMIT_BODY_MAX_BYTES, { error: "is too large" })
    .optional(),
  input_image_url: z.union([z.literal("").transform(() => undefined), httpUrlSchema]).optional(),
  seed: seedSchema.optional(),
});
export const videoParamsSchema = videoParamsObject.refine(onlyOneInputImage, onlyOneInputImageError);
export type VideoParams = z.infer<typeof videoParamsSchema>;

export type PersonGeneration = (typeof PERSON_GENERATION_MODES)[number];

/** Pixel size of the local provider's videos (720p class). */
export const VIDEO_DIMENSIONS: Record<VideoAspectRatio, { width: number; height: number }> = {
  "16:9": { width: 1280, height: 720 },
  "9:16": { width: 720, height: 1280 },
  "1:1": { width: 720, height: 720 },
};

/** Recognises PNG, JPEG and WEBP by their first bytes; the declared type is never trusted. */
export function sniffImageType(bytes: Uint8Array): "PNG" | "JPEG" | "WEBP" | null {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) {
    return "PNG";
  }
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) {
    return "JPEG";
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.slice(from, to));
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") {
    return "WEBP";
  }
  return null;
}

/** One stored video, as the web API returns it. */
export const videoFileSchema = z.object({
  id: z.string(),
  index: z.number().int(),
  url: z.string(),
  poster_url: z.string().nullable(),
  /** A small WEBP of the poster (THUMBNAIL_MAX_SIDE), or null for files stored before thumbnails existed. */
  thumbnail_url: z.string().nullable(),
  format: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  duration_seconds: z.number().nullable(),
  size_bytes: z.number().int(),
  /** As an image's: poster_url and thumbnail_url are then a blurred copy of the poster, or null. */
  moderation: fileModerationSchema.optional(),
  ...fileStateFields,
});
export type VideoFile = z.infer<typeof videoFileSchema>;

/**
 * Decodes an input image sent as base64 or a data: URL, refusing it when it
 * decodes past INPUT_IMAGE_MAX_BYTES (413) or is not really a PNG, JPEG or
 * WEBP (422) — whatever type a data: URL declares.
 */
export function decodeInputImage(raw: string): { bytes: Buffer; type: "PNG" | "JPEG" | "WEBP" } {
  const field = "input_image_base64";
  const base64 = raw.startsWith("data:") ? raw.slice(raw.indexOf(",") + 1) : raw;
  const clean = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length === 0) {
    throw new AppError("invalid_request", `${field}: must be base64`, { field });
  }
  if (Math.floor((clean.length * 3) / 4) > INPUT_IMAGE_MAX_BYTES + 2) {
    throw new AppError("payload_too_large", `${field}: the image is larger than ${INPUT_IMAGE_MAX_BYTES} bytes`, {
      field,
    });
  }
  const bytes = Buffer.from(clean, "base64");
  if (bytes.length > INPUT_IMAGE_MAX_BYTES) {
    throw new AppError("payload_too_large", `${field}: the image is larger than ${INPUT_IMAGE_MAX_BYTES} bytes`, {
      field,
    });
  }
  const type = sniffImageType(bytes);
  if (!type) {
    throw new AppError("unprocessable", `${field}: must be a PNG, JPEG or WEBP image`, { field });
  }
  return { bytes, type };
}

export const IMAGE_TYPE_EXT = { PNG: "png", JPEG: "jpg", WEBP: "webp" } as const;
