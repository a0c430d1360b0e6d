import { z } from "zod";
import { fileStateFields } from "./file-state";
import { modelIdSchema } from "./ids";
import {
  GUIDANCE_MAX,
  NUM_IMAGES_MAX,
  NUM_IMAGES_MIN,
  PROMPT_MAX_LENGTH,
  SEED_MAX,
  STEPS_MAX,
  URL_MAX_LENGTH,
} from "./limits";
import { fileModerationSchema } from "./moderation";
import { findForbiddenCharacter } from "./text";

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

/**
 * Free text written by a person (prompts, negative prompts, names): at most
 * `max` characters, counted in Unicode code points (zod's `.max` counts them:
 * an emoji is one character, as a person counts it), and none of the
 * characters the pipeline cannot carry (`findForbiddenCharacter`: controls
 * but tab and line breaks, unpaired surrogates, noncharacters). The one
 * schema every user text field goes through.
 */
export const plainTextSchema = (max: number) =>
  z
    .string({ error: "must be a string" })
    .max(max, { error: `must be at most ${max} characters` })
    .superRefine((text, ctx) => {
      const found = findForbiddenCharacter(text);
      if (found) {
        ctx.addIssue({ code: "custom", message: found.message });
      }
    });

/** A prompt: trimmed, non-empty, then a person's free text (`plainTextSchema`). */
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

/** A seed, for the models that take one (their capabilities say `seed: true`). */
export const seedSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(0, { error: "must be at least 0" })
  .max(SEED_MAX, { error: `must be at most ${SEED_MAX}` });

/**
 * The parameters of an image job: what the web form sends (documents 000 and
 * 004), plus the catalog's: the `model` (absent: the operator's default) and
 * the knobs some models expose. The schema bounds types and sane ranges; the
 * chosen model's capabilities narrow them (catalog-rules.ts, 422).
 */
export const imageParamsSchema = z.strictObject({
  prompt: promptSchema,
  model: modelIdSchema.optional(),
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
  negative_prompt: plainTextSchema(PROMPT_MAX_LENGTH).optional(),
  seed: seedSchema.optional(),
  steps: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(STEPS_MAX, { error: `must be at most ${STEPS_MAX}` })
    .optional(),
  guidance: z
    .number({ error: "must be a number" })
    .min(0, { error: "must be at least 0" })
    .max(GUIDANCE_MAX, { error: `must be at most ${GUIDANCE_MAX}` })
    .optional(),
});
export type ImageParams = z.infer<typeof imageParamsSchema>;

/** One stored image, as the web API returns it (document 004's result). */
export const imageFileSchema = z.object({
  id: z.string(),
  index: z.number().int(),
  url: z.string(),
  /** A small WEBP (THUMBNAIL_MAX_SIDE), or null for files stored before thumbnails existed. */
  thumbnail_url: z.string().nullable(),
  format: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  size_bytes: z.number().int(),
  description: z.string().nullable(),
  /**
   * Present when the file is not shown as it is (image screening): pending,
   * held for review (thumbnail_url is then a blurred copy; url is refused) or
   * removed, with a sentence for its owner.
   */
  moderation: fileModerationSchema.optional(),
  ...fileStateFields,
});
export type ImageFile = z.infer<typeof imageFileSchema>;

/**
 * gemini-2.5-flash-image's aspect ratios and the PNG size it returns for
 * each (Gemini API image generation docs). The Gemini API takes no pixel
 * size or output format, so Sorami asks for the nearest ratio and resizes.
 */
export const GEMINI_IMAGE_ASPECT_RATIOS = {
  "1:1": { width: 1024, height: 1024 },
  "2:3": { width: 832, height: 1248 },
  "3:2": { width: 1248, height: 832 },
  "3:4": { width: 864, height: 1184 },
  "4:3": { width: 1184, height: 864 },
  "4:5": { width: 896, height: 1152 },
  "5:4": { width: 1152, height: 896 },
  "9:16": { width: 768, height: 1344 },
  "16:9": { width: 1344, height: 768 },
  "21:9": { width: 1536, height: 672 },
} as const;
export type GeminiAspectRatio = keyof typeof GEMINI_IMAGE_ASPECT_RATIOS;

/** The Gemini aspect ratio nearest to a size, comparing ratios on a log scale (so 2:1 and 1:2 are equally far from 1:1). */
export function nearestGeminiAspectRatio(width: number, height: number): GeminiAspectRatio {
  const target = Math.log(width / height);
  let best: GeminiAspectRatio = "1:1";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const ratio of Object.keys(GEMINI_IMAGE_ASPECT_RATIOS) as GeminiAspectRatio[]) {
    const [w, h] = ratio.split(":").map(Number);
    const distance = Math.abs(Math.log((w ?? 1) / (h ?? 1)) - target);
    if (distance < bestDistance) {
      best = ratio;
      bestDistance = distance;
    }
  }
  return best;
}
