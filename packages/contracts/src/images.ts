import { z } from "zod";
import { NUM_IMAGES_MAX, NUM_IMAGES_MIN, PROMPT_MAX_LENGTH, URL_MAX_LENGTH } from "./limits";
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
});
export type ImageFile = z.infer<typeof imageFileSchema>;

type ImageProviderLimits = {
  /** Shown in the UI and the health endpoints. */
  label: string;
  /** The model the generator calls unless the operator names another of the same family. */
  model: string;
  sizes: readonly ImageSize[];
  formats: readonly ImageFormat[];
  qualities: readonly (typeof IMAGE_QUALITIES)[number][];
  num_images: { min: number; max: number };
  /** Whether the provider can start from an input image (input_image_url). */
  input_image: boolean;
};

/**
 * What each image provider can serve; checked before a job is created (422
 * naming the field and the allowed values). Gemini returns PNGs at its own
 * aspect ratios, which Sorami converts and resizes to any offered size and
 * format; OpenAI's GPT image models make three sizes natively and take no
 * input image through images.generate.
 */
export const IMAGE_PROVIDER_LIMITS = {
  local: {
    label: "Local (offline, not AI)",
    model: "local-image-v1",
    sizes: IMAGE_SIZES,
    formats: IMAGE_FORMATS,
    qualities: IMAGE_QUALITIES,
    num_images: { min: NUM_IMAGES_MIN, max: NUM_IMAGES_MAX },
    input_image: true,
  },
  gemini: {
    label: "Gemini 2.5 Flash Image",
    model: "gemini-2.5-flash-image",
    sizes: IMAGE_SIZES,
    formats: IMAGE_FORMATS,
    qualities: IMAGE_QUALITIES,
    num_images: { min: NUM_IMAGES_MIN, max: NUM_IMAGES_MAX },
    input_image: true,
  },
  openai: {
    label: "OpenAI GPT Image",
    model: "gpt-image-1",
    sizes: ["1024x1024", "1536x1024", "1024x1536"],
    formats: IMAGE_FORMATS,
    qualities: IMAGE_QUALITIES,
    num_images: { min: NUM_IMAGES_MIN, max: NUM_IMAGES_MAX },
    input_image: false,
  },
} as const satisfies Record<string, ImageProviderLimits>;
export type ImageProviderName = keyof typeof IMAGE_PROVIDER_LIMITS;
export const IMAGE_PROVIDER_NAMES = Object.keys(IMAGE_PROVIDER_LIMITS) as [ImageProviderName, ...ImageProviderName[]];

/** The first parameter the image provider cannot serve, with the allowed values, or null. */
export function imageLimitViolation(
  provider: ImageProviderName,
  params: Pick<ImageParams, "size" | "format" | "quality" | "num_images" | "input_image_url">,
): { field: string; message: string } | null {
  const limits: ImageProviderLimits = IMAGE_PROVIDER_LIMITS[provider];
  const notIn = (field: "size" | "format" | "quality", allowed: readonly string[]) =>
    allowed.includes(params[field])
      ? null
      : {
          field,
          message: `${field} ${params[field]} is not supported by the ${provider} provider; allowed: ${allowed.join(", ")}`,
        };
  const refused = notIn("size", limits.sizes) ?? notIn("format", limits.formats) ?? notIn("quality", limits.qualities);
  if (refused) {
    return refused;
  }
  const n = limits.num_images;
  if (params.num_images < n.min || params.num_images > n.max) {
    return { field: "num_images", message: `num_images must be ${n.min}-${n.max} for the ${provider} provider` };
  }
  if (params.input_image_url && !limits.input_image) {
    return {
      field: "input_image_url",
      message: `input_image_url is not supported by the ${provider} provider; leave it empty`,
    };
  }
  return null;
}

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
