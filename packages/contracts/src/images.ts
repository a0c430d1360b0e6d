import { z } from "zod";
import { NUM_IMAGES_MAX, NUM_IMAGES_MIN, PROMPT_MAX_LENGTH, URL_MAX_LENGTH } from "./limits";

/** Output sizes offered, as WIDTHxHEIGHT; nothing larger than 2048 on a side. */
export const IMAGE_SIZES = [
  "256x256",
  "512x512",
  "768x768",
  "1024x1024",
  "1536x1536",
  "2048x2048",
  "1024x768",
  "768x1024",
  "1536x1024",
  "1024x1536",
  "1280x720",
  "720x1280",
  "1920x1080",
  "1080x1920",
] as const;
export const IMAGE_FORMATS = ["PNG", "JPEG", "WEBP"] as const;
export const IMAGE_STYLES = [
  "photorealistic",
  "illustration",
  "digital-art",
  "anime",
  "watercolor",
  "oil-painting",
  "sketch",
  "3d-render",
  "pixel-art",
  "minimalist",
] as const;
export const IMAGE_QUALITIES = ["standard", "high"] as const;

export type ImageSize = (typeof IMAGE_SIZES)[number];
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Document 004's form defaults. */
export const IMAGE_DEFAULTS = {
  num_images: 1,
  size: "1024x1024",
  format: "PNG",
  style: "photorealistic",
  quality: "high",
} as const;

export function parseSize(size: string): { width: number; height: number } {
  const [w, h] = size.split("x").map(Number);
  return { width: w ?? 0, height: h ?? 0 };
}

/** Control characters but tab and newlines: never meaningful in a prompt, and a way to smuggle markup or NUL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Free text written by a person: bounded, no control characters but tab and newlines. */
export const plainTextSchema = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((s) => !CONTROL_CHARACTERS.test(s), { error: "must not contain control characters" });

/** A prompt: trimmed, non-empty, bounded, no control characters but tab and newlines. */
export const promptSchema = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, { error: "is required" })
  .pipe(plainTextSchema(PROMPT_MAX_LENGTH));

export const httpUrlSchema = z
  .string({ error: "must be a string" })
  .max(URL_MAX_LENGTH, { error: `must be at most ${URL_MAX_LENGTH} characters` })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === "http:" || u.protocol === "https:";
      } catch {
        return false;
      }
    },
    { error: "must be an http(s) URL" },
  );

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

/** The parameters of an image job: what the web form sends (documents 000 and 004). */
export const imageParamsSchema = z.strictObject({
  prompt: promptSchema,
  /** Empty string means "none": document 004's form sends it when the field is blank. */
  input_image_url: z.union([z.literal("").transform(() => undefined), httpUrlSchema]).optional(),
  num_images: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(NUM_IMAGES_MIN, { error: `must be at least ${NUM_IMAGES_MIN}` })
    .max(NUM_IMAGES_MAX, { error: `must be at most ${NUM_IMAGES_MAX}` })
    .default(IMAGE_DEFAULTS.num_images),
  size: enumOf(IMAGE_SIZES).default(IMAGE_DEFAULTS.size),
  format: enumOf(IMAGE_FORMATS).default(IMAGE_DEFAULTS.format),
  style: enumOf(IMAGE_STYLES).default(IMAGE_DEFAULTS.style),
  quality: enumOf(IMAGE_QUALITIES).default(IMAGE_DEFAULTS.quality),
});
export type ImageParams = z.infer<typeof imageParamsSchema>;

/** One stored image, as the web API returns it (document 004's result). */
export const imageFileSchema = z.object({
  id: z.string(),
  index: z.number().int(),
  url: z.string(),
  format: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  size_bytes: z.number().int(),
  description: z.string().nullable(),
});
export type ImageFile = z.infer<typeof imageFileSchema>;
