import { z } from "zod";
import { modelIdSchema } from "./ids";
import { IMAGE_FORMATS, IMAGE_QUALITIES, IMAGE_SIZES } from "./images";
import { PERSON_GENERATION_MODES, VIDEO_ASPECT_RATIOS } from "./video";

/**
 * The model catalog: every model Sorami can run, whatever its provider. One
 * entry is everything the form offers, everything the web app checks before
 * a job exists, and everything the generator needs to call the model. Built-in
 * entries live beside each provider's module; operators add more in
 * MODELS_FILE (JSON or YAML) validated by these schemas.
 *
 * Provider-specific settings (a fal app id, a Replicate version, a ComfyUI
 * workflow, the mapping of Sorami's parameters onto a model's input names)
 * sit in `options`, which only that provider's module reads and validates:
 * no provider-specific `if` lives outside the provider.
 */

/** A stable model id (see ids.ts). */
export { modelIdSchema };

/** The provider names a catalog entry may carry (each is one module under apps/generator/src/providers/). */
export const CATALOG_PROVIDERS = [
  "local",
  "gemini",
  "veo",
  "openai",
  "fal",
  "replicate",
  "bfl",
  "openai-compatible",
  "comfyui",
  "a1111",
  "upscaler",
] as const;
export type CatalogProvider = (typeof CATALOG_PROVIDERS)[number];

export const INPUT_IMAGE_MODES = ["none", "optional", "required"] as const;
export type InputImageMode = (typeof INPUT_IMAGE_MODES)[number];

const range = z
  .strictObject({
    min: z.number().int(),
    max: z.number().int(),
  })
  .refine((r) => r.min <= r.max, { error: "min must not exceed max" });

/** A numeric knob a model exposes (steps, guidance): its bounds and the value used when the user gives none. */
const knob = z
  .strictObject({ min: z.number(), max: z.number(), default: z.number() })
  .refine((k) => k.min <= k.default && k.default <= k.max, { error: "default must lie within min..max" });

export const imageCapabilitiesSchema = z.strictObject({
  /** Output sizes the model can make (after Sorami's resize, where the provider resizes). */
  sizes: z.array(z.enum(IMAGE_SIZES)).min(1),
  formats: z.array(z.enum(IMAGE_FORMATS)).min(1),
  qualities: z
    .array(z.enum(IMAGE_QUALITIES))
    .min(1)
    .default([...IMAGE_QUALITIES]),
  num_images: range,
  input_image: z.enum(INPUT_IMAGE_MODES),
  negative_prompt: z.boolean().default(false),
  seed: z.boolean().default(false),
  steps: knob.optional(),
  guidance: knob.optional(),
});
export type ImageCapabilities = z.infer<typeof imageCapabilitiesSchema>;

export const videoCapabilitiesSchema = z.strictObject({
  aspect_ratios: z.array(z.enum(VIDEO_ASPECT_RATIOS)).min(1),
  /** Whole seconds from min to max in steps of `step` (Veo: 4, 6, 8). */
  durations: z
    .strictObject({ min: z.number().int().min(1), max: z.number().int(), step: z.number().int().min(1) })
    .refine((d) => d.min <= d.max, { error: "min must not exceed max" }),
  number_of_videos: range,
  /** The person_generation modes allowed for a text-only prompt and with an input image; the first is the default. */
  person_generation: z.strictObject({
    text: z.array(z.enum(PERSON_GENERATION_MODES)).min(1),
    image: z.array(z.enum(PERSON_GENERATION_MODES)).min(1),
  }),
  input_image: z.enum(INPUT_IMAGE_MODES),
  negative_prompt: z.boolean().default(false),
  seed: z.boolean().default(false),
});
export type VideoCapabilities = z.infer<typeof videoCapabilitiesSchema>;

/** US dollars as a decimal string ("0.003"), never a float. */
export const usdAmountSchema = z.string().regex(/^\d{1,9}(\.\d{1,9})?$/, { error: "must be a decimal string" });
export const PRICE_UNITS = ["image", "video_second", "token", "megapixel", "job"] as const;
export const priceSchema = z.strictObject({
  unit: z.enum(PRICE_UNITS),
  amount: usdAmountSchema,
  /** When the price was read off the vendor's page (built-in prices are dated). */
  as_of: z.iso.date().optional(),
});
export type Price = z.infer<typeof priceSchema>;

/** A model's label is one line of the model picker; operators' checkpoint names can be long. */
export const MODEL_LABEL_MAX_LENGTH = 200;

const entryBase = {
  id: modelIdSchema,
  provider: z.enum(CATALOG_PROVIDERS),
  /** Shown in the model picker. */
  label: z.string().min(1).max(MODEL_LABEL_MAX_LENGTH),
  /** Models of the same kind tried in order when this one fails with a retryable kind after its retries. */
  fallbacks: z.array(modelIdSchema).max(5).default([]),
  price: priceSchema.optional(),
  /** Read and validated only by the provider's own module. */
  options: z.record(z.string(), z.unknown()).default({}),
};

export const catalogEntrySchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...entryBase, kind: z.literal("image"), capabilities: imageCapabilitiesSchema }),
  z.strictObject({ ...entryBase, kind: z.literal("video"), capabilities: videoCapabilitiesSchema }),
]);
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
export type ImageCatalogEntry = Extract<CatalogEntry, { kind: "image" }>;
export type VideoCatalogEntry = Extract<CatalogEntry, { kind: "video" }>;

/** What the checks and the forms need of a model: its id, kind and capabilities (an entry or its public view). */
export type ImageModel = Pick<ImageCatalogEntry, "id" | "kind" | "capabilities">;
export type VideoModel = Pick<VideoCatalogEntry, "id" | "kind" | "capabilities">;
export type CatalogModel = ImageModel | VideoModel;

const viewBase = {
  id: modelIdSchema,
  provider: z.enum(CATALOG_PROVIDERS),
  label: z.string(),
  /** The operator's default model of its kind (DEFAULT_IMAGE_MODEL / DEFAULT_VIDEO_MODEL). */
  default: z.boolean(),
  price: priceSchema.optional(),
};

/**
 * One active model as `GET /api/models` (web) shows it and the generator's
 * `GET /api/models` hands it to the web app: no provider options (they may
 * name servers), no fallbacks (the generator's business).
 */
export const modelViewSchema = z.discriminatedUnion("kind", [
  z.object({ ...viewBase, kind: z.literal("image"), capabilities: imageCapabilitiesSchema }),
  z.object({ ...viewBase, kind: z.literal("video"), capabilities: videoCapabilitiesSchema }),
]);
export const modelListSchema = z.object({ models: z.array(modelViewSchema) });
export type ModelView = z.infer<typeof modelViewSchema>;
export type ModelList = z.infer<typeof modelListSchema>;

/** The public view of an active entry. */
export function modelViewOf(entry: CatalogEntry, isDefault: boolean): ModelView {
  const { id, provider, label, price } = entry;
  const base = { id, provider, label, default: isDefault, ...(price ? { price } : {}) };
  return entry.kind === "image"
    ? { ...base, kind: "image", capabilities: entry.capabilities }
    : { ...base, kind: "video", capabilities: entry.capabilities };
}
