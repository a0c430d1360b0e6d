import type { z } from "zod";
import { type CatalogEntry, catalogEntrySchema } from "./catalog";
import { HOSTED_MODELS } from "./catalog-hosted";
import { IMAGE_PROVIDER_LIMITS } from "./images";
import { VIDEO_PROVIDER_LIMITS } from "./video";

/**
 * The models Sorami knows without a catalog file. The first five are the
 * providers that existed before the catalog, with exactly the limits of
 * IMAGE_PROVIDER_LIMITS / VIDEO_PROVIDER_LIMITS (a test holds them equal);
 * the hosted ones (fal, Replicate, BFL) are in catalog-hosted.ts.
 */
type EntryInput = z.input<typeof catalogEntrySchema>;

const { local: localImage, gemini, openai } = IMAGE_PROVIDER_LIMITS;
const { local: localVideo, veo } = VIDEO_PROVIDER_LIMITS;

const fromImageLimits = (l: (typeof IMAGE_PROVIDER_LIMITS)[keyof typeof IMAGE_PROVIDER_LIMITS]) => ({
  sizes: [...l.sizes],
  formats: [...l.formats],
  qualities: [...l.qualities],
  num_images: { ...l.num_images },
  input_image: l.input_image ? ("optional" as const) : ("none" as const),
});
const fromVideoLimits = (l: (typeof VIDEO_PROVIDER_LIMITS)[keyof typeof VIDEO_PROVIDER_LIMITS]) => ({
  aspect_ratios: [...l.aspect_ratios],
  durations: { ...l.durations },
  number_of_videos: { ...l.number_of_videos },
  person_generation: { text: [...l.person_generation.text], image: [...l.person_generation.image] },
  // Both take an input image and a negative prompt today (videoParamsSchema accepts them for every provider).
  input_image: "optional" as const,
  negative_prompt: true,
});

const BUILT_IN_INPUT: EntryInput[] = [
  {
    id: localImage.model,
    kind: "image",
    provider: "local",
    label: localImage.label,
    capabilities: fromImageLimits(localImage),
  },
  {
    id: gemini.model,
    kind: "image",
    provider: "gemini",
    label: gemini.label,
    capabilities: fromImageLimits(gemini),
  },
  {
    id: openai.model,
    kind: "image",
    provider: "openai",
    label: openai.label,
    capabilities: fromImageLimits(openai),
  },
  {
    id: localVideo.model,
    kind: "video",
    provider: "local",
    label: localVideo.label,
    capabilities: fromVideoLimits(localVideo),
  },
  {
    id: veo.model,
    kind: "video",
    provider: "veo",
    label: veo.label,
    capabilities: fromVideoLimits(veo),
  },
  ...HOSTED_MODELS,
];

/** Every built-in model, parsed (defaults filled) when this module loads: a mistake here fails every test. */
export const BUILT_IN_MODELS: readonly CatalogEntry[] = BUILT_IN_INPUT.map((e) => catalogEntrySchema.parse(e));

/** The built-in model each pre-catalog provider name stands for (IMAGE_PROVIDER / VIDEO_PROVIDER name the default). */
export const PROVIDER_DEFAULT_MODELS = {
  image: { local: localImage.model, gemini: gemini.model, openai: openai.model },
  video: { local: localVideo.model, veo: veo.model },
} as const;
