import type { z } from "zod";
import { type CatalogEntry, catalogEntrySchema, modelViewOf } from "./catalog";
import { HOSTED_MODELS } from "./catalog-hosted";
import { IMAGE_FORMATS, IMAGE_QUALITIES, IMAGE_SIZES } from "./images";
import { NUM_IMAGES_MAX, NUM_IMAGES_MIN } from "./limits";
import { PERSON_GENERATION_MODES } from "./video";

/**
 * The models Sorami knows without a catalog file: the five that existed
 * before the catalog (local, Gemini, OpenAI, Veo), here with what each can
 * serve, and the hosted ones (fal, Replicate, BFL) in catalog-hosted.ts.
 *
 * Gemini returns PNGs at its own aspect ratios, which Sorami converts and
 * resizes to any offered size and format; OpenAI's GPT image models make
 * three sizes natively and take no input image through images.generate.
 * Veo: the Gemini API's Veo 3.1 limits — 16:9 or 9:16, 4/6/8 s, one video per
 * request, and people "allow_all" for text-to-video but "allow_adult" for
 * image-to-video.
 */
type EntryInput = z.input<typeof catalogEntrySchema>;

const ALL_SIZES = [...IMAGE_SIZES];
const ALL_FORMATS = [...IMAGE_FORMATS];
const ALL_QUALITIES = [...IMAGE_QUALITIES];
const IMAGE_COUNT = { min: NUM_IMAGES_MIN, max: NUM_IMAGES_MAX };

export const LOCAL_IMAGE_MODEL = "local-image-v1";
export const LOCAL_VIDEO_MODEL = "local-video-v1";

const BUILT_IN_INPUT: EntryInput[] = [
  {
    id: LOCAL_IMAGE_MODEL,
    kind: "image",
    provider: "local",
    label: "Local (offline, not AI)",
    capabilities: {
      sizes: ALL_SIZES,
      formats: ALL_FORMATS,
      qualities: ALL_QUALITIES,
      num_images: IMAGE_COUNT,
      input_image: "optional",
    },
  },
  {
    id: "gemini-2.5-flash-image",
    kind: "image",
    provider: "gemini",
    label: "Gemini 2.5 Flash Image",
    capabilities: {
      sizes: ALL_SIZES,
      formats: ALL_FORMATS,
      qualities: ALL_QUALITIES,
      num_images: IMAGE_COUNT,
      input_image: "optional",
    },
  },
  {
    id: "gpt-image-1",
    kind: "image",
    provider: "openai",
    label: "OpenAI GPT Image",
    capabilities: {
      sizes: ["1024x1024", "1536x1024", "1024x1536"],
      formats: ALL_FORMATS,
      qualities: ALL_QUALITIES,
      num_images: IMAGE_COUNT,
      input_image: "none",
    },
  },
  {
    id: LOCAL_VIDEO_MODEL,
    kind: "video",
    provider: "local",
    label: "Local (offline, not AI)",
    capabilities: {
      aspect_ratios: ["16:9", "9:16", "1:1"],
      durations: { min: 1, max: 10, step: 1 },
      number_of_videos: { min: 1, max: 4 },
      person_generation: { text: [...PERSON_GENERATION_MODES], image: [...PERSON_GENERATION_MODES] },
      input_image: "optional",
      negative_prompt: true,
    },
  },
  {
    id: "veo-3.1-generate-preview",
    kind: "video",
    provider: "veo",
    label: "Google Veo 3.1",
    capabilities: {
      aspect_ratios: ["16:9", "9:16"],
      durations: { min: 4, max: 8, step: 2 },
      number_of_videos: { min: 1, max: 1 },
      person_generation: { text: ["ALLOW_ALL"], image: ["ALLOW_ADULT"] },
      input_image: "optional",
      negative_prompt: true,
    },
  },
  ...HOSTED_MODELS,
];

/** Every built-in model, parsed (defaults filled) when this module loads: a mistake here fails every test. */
export const BUILT_IN_MODELS: readonly CatalogEntry[] = BUILT_IN_INPUT.map((e) => catalogEntrySchema.parse(e));

/** The built-in model each pre-catalog provider name stands for (IMAGE_PROVIDER / VIDEO_PROVIDER name the default). */
export const PROVIDER_DEFAULT_MODELS = {
  image: { local: LOCAL_IMAGE_MODEL, gemini: "gemini-2.5-flash-image", openai: "gpt-image-1" },
  video: { local: LOCAL_VIDEO_MODEL, veo: "veo-3.1-generate-preview" },
} as const;
export type ImageProviderName = keyof typeof PROVIDER_DEFAULT_MODELS.image;
export type VideoProviderName = keyof typeof PROVIDER_DEFAULT_MODELS.video;
/** The names IMAGE_PROVIDER / VIDEO_PROVIDER accept. */
export const IMAGE_PROVIDER_NAMES = Object.keys(PROVIDER_DEFAULT_MODELS.image) as [
  ImageProviderName,
  ...ImageProviderName[],
];
export const VIDEO_PROVIDER_NAMES = Object.keys(PROVIDER_DEFAULT_MODELS.video) as [
  VideoProviderName,
  ...VideoProviderName[],
];

/** The local models alone, as the active catalog of a deployment with no key set (tests build on it). */
export const LOCAL_MODEL_VIEWS = BUILT_IN_MODELS.filter((e) => e.provider === "local").map((e) => modelViewOf(e, true));
