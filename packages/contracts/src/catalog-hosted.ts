import type { z } from "zod";
import type { catalogEntrySchema } from "./catalog";
import { IMAGE_SIZES, type ImageSize, parseSize } from "./images";

/**
 * The hosted models Sorami ships entries for (fal, Replicate, Black Forest
 * Labs), with each vendor's own input and output names, read from the
 * vendor's model page or API reference (cited beside each), and prices dated
 * by when they were read. A model whose price the stored pages did not give
 * has none.
 */
type EntryInput = z.input<typeof catalogEntrySchema>;

const sizesWhere = (keep: (width: number, height: number) => boolean): ImageSize[] =>
  IMAGE_SIZES.filter((size) => {
    const { width, height } = parseSize(size);
    return keep(width, height);
  });
/** BFL's FLUX.1 endpoints take width and height in multiples of 32, from 256 to 1440 px. */
const BFL_SIZES = sizesWhere((w, h) => w % 32 === 0 && h % 32 === 0 && Math.max(w, h) <= 1440);
/** Replicate's FLUX models make about one megapixel at an aspect ratio; larger sizes would only be upscaled. */
const ONE_MEGAPIXEL_SIZES = sizesWhere((w, h) => w * h <= 1536 * 1024);
const ALL_FORMATS = ["PNG", "JPEG", "WEBP"] as const;
const ONE = { min: 1, max: 1 };

export const HOSTED_MODELS: EntryInput[] = [
  // fal: https://fal.ai/models/fal-ai/flux/schnell/llms.txt — image_size {width,height}, num_images 1-4,
  // num_inference_steps 1-12 (default 4), seed, output_format jpeg|png; output images[].url, has_nsfw_concepts[].
  // Price: $0.003 per megapixel (fal's model page, read 2026-12-04).
  {
    id: "fal-ai/flux/schnell",
    kind: "image",
    provider: "fal",
    label: "FLUX.1 [schnell] (fal)",
    capabilities: {
      sizes: [...IMAGE_SIZES],
      formats: [...ALL_FORMATS],
      num_images: { min: 1, max: 4 },
      input_image: "none",
      seed: true,
      steps: { min: 1, max: 12, default: 4 },
    },
    price: { unit: "megapixel", amount: "0.003", as_of: "2026-12-04" },
    options: {
      input: {
        prompt: "prompt",
        num_images: "num_images",
        size: { to: "image_size", as: "wh-object" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpeg", WEBP: "png" } },
        seed: "seed",
        steps: "num_inference_steps",
      },
      fixed: { enable_safety_checker: true },
      output: "images[].url",
      blocked: "has_nsfw_concepts[]",
    },
  },
  // fal: https://fal.ai/models/fal-ai/flux/dev/llms.txt — as schnell, steps 1-50 (default 28), guidance_scale
  // 1-20 (default 3.5). Price: $0.025 per megapixel (fal's model page, read 2026-12-04).
  {
    id: "fal-ai/flux/dev",
    kind: "image",
    provider: "fal",
    label: "FLUX.1 [dev] (fal)",
    capabilities: {
      sizes: [...IMAGE_SIZES],
      formats: [...ALL_FORMATS],
      num_images: { min: 1, max: 4 },
      input_image: "none",
      seed: true,
      steps: { min: 1, max: 50, default: 28 },
      guidance: { min: 1, max: 20, default: 3.5 },
    },
    price: { unit: "megapixel", amount: "0.025", as_of: "2026-12-04" },
    options: {
      input: {
        prompt: "prompt",
        num_images: "num_images",
        size: { to: "image_size", as: "wh-object" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpeg", WEBP: "png" } },
        seed: "seed",
        steps: "num_inference_steps",
        guidance: "guidance_scale",
      },
      fixed: { enable_safety_checker: true },
      output: "images[].url",
      blocked: "has_nsfw_concepts[]",
    },
  },
  // fal: https://fal.ai/models/fal-ai/kling-video/v2/master/text-to-video/llms.txt — prompt, duration "5"|"10",
  // aspect_ratio 16:9|9:16|1:1, negative_prompt; output video.url. Price: $1.40 for 5 s, $0.28 per further
  // second, i.e. $0.28 per second (read 2026-12-04).
  {
    id: "fal-ai/kling-video/v2/master/text-to-video",
    kind: "video",
    provider: "fal",
    label: "Kling 2.0 Master (fal)",
    capabilities: {
      aspect_ratios: ["16:9", "9:16", "1:1"],
      durations: { min: 5, max: 10, step: 5 },
      number_of_videos: ONE,
      // Kling has no person setting: only the default (allow) can be honoured.
      person_generation: { text: ["ALLOW_ALL"], image: ["ALLOW_ALL"] },
      input_image: "none",
      negative_prompt: true,
    },
    price: { unit: "video_second", amount: "0.28", as_of: "2026-12-04" },
    options: {
      input: {
        prompt: "prompt",
        negative_prompt: "negative_prompt",
        duration_seconds: { to: "duration", as: "string" },
        aspect_ratio: "aspect_ratio",
      },
      output: "video.url",
    },
  },
  // Replicate: https://replicate.com/black-forest-labs/flux-schnell/api — aspect_ratio (1:1 … 9:21), num_outputs
  // 1-4, num_inference_steps 1-4, seed, output_format webp|jpg|png; output: a list of URLs.
  // Price: $3.00 per thousand images (replicate.com/pricing, read 2026-10-07).
  {
    id: "replicate:black-forest-labs/flux-schnell",
    kind: "image",
    provider: "replicate",
    label: "FLUX.1 [schnell] (Replicate)",
    capabilities: {
      sizes: ONE_MEGAPIXEL_SIZES,
      formats: [...ALL_FORMATS],
      num_images: { min: 1, max: 4 },
      input_image: "none",
      seed: true,
      steps: { min: 1, max: 4, default: 4 },
    },
    price: { unit: "image", amount: "0.003", as_of: "2026-10-07" },
    options: {
      input: {
        prompt: "prompt",
        num_images: "num_outputs",
        size: { to: "aspect_ratio", as: "aspect-ratio" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpg", WEBP: "webp" } },
        seed: "seed",
        steps: "num_inference_steps",
      },
      output: "output[]",
    },
  },
  // Replicate: https://replicate.com/black-forest-labs/flux-1.1-pro/api — prompt, aspect_ratio, image_prompt
  // (Flux Redux), seed, output_format webp|jpg|png, safety_tolerance; one image; output: one URL.
  // Price: $0.04 per image (replicate.com/pricing, read 2026-10-07).
  {
    id: "replicate:black-forest-labs/flux-1.1-pro",
    kind: "image",
    provider: "replicate",
    label: "FLUX1.1 [pro] (Replicate)",
    capabilities: {
      sizes: ONE_MEGAPIXEL_SIZES,
      formats: [...ALL_FORMATS],
      num_images: ONE,
      input_image: "optional",
      seed: true,
    },
    price: { unit: "image", amount: "0.04", as_of: "2026-10-07" },
    options: {
      input: {
        prompt: "prompt",
        size: { to: "aspect_ratio", as: "aspect-ratio" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpg", WEBP: "webp" } },
        seed: "seed",
        input_image: { to: "image_prompt", as: "data-uri" },
      },
      output: "output",
    },
  },
  // Replicate: https://replicate.com/minimax/video-01/api — prompt, first_frame_image, prompt_optimizer; 6 s of
  // 720p; output: one URL. No price in the stored pages: left out.
  {
    id: "replicate:minimax/video-01",
    kind: "video",
    provider: "replicate",
    label: "MiniMax Video-01 (Replicate)",
    capabilities: {
      aspect_ratios: ["16:9"],
      durations: { min: 6, max: 6, step: 1 },
      number_of_videos: ONE,
      person_generation: { text: ["ALLOW_ALL"], image: ["ALLOW_ALL"] },
      input_image: "optional",
    },
    options: {
      input: { prompt: "prompt", input_image: { to: "first_frame_image", as: "data-uri" } },
      output: "output",
    },
  },
  // BFL: https://docs.bfl.ai/flux_models/flux_1_1_pro — POST /v1/flux-pro-1.1 {prompt, width, height (256-1440,
  // multiples of 32), seed, image_prompt (base64), output_format jpeg|png}. Price: $0.04 per image (same page).
  {
    id: "bfl:flux-pro-1.1",
    kind: "image",
    provider: "bfl",
    label: "FLUX1.1 [pro] (Black Forest Labs)",
    capabilities: {
      sizes: BFL_SIZES,
      formats: [...ALL_FORMATS],
      num_images: ONE,
      input_image: "optional",
      seed: true,
    },
    price: { unit: "image", amount: "0.04", as_of: "2026-12-04" },
    options: {
      input: {
        prompt: "prompt",
        size: { to: ["width", "height"], as: "width-height" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpeg", WEBP: "png" } },
        seed: "seed",
        input_image: { to: "image_prompt", as: "base64" },
      },
    },
  },
  // BFL: POST /v1/flux-dev {prompt, width, height, steps (1-50, default 28), guidance (1.5-5, default 3), seed,
  // output_format}. Price: $0.025 per image (docs.litellm.ai's BFL page quoting BFL, read 2026-12-04).
  {
    id: "bfl:flux-dev",
    kind: "image",
    provider: "bfl",
    label: "FLUX.1 [dev] (Black Forest Labs)",
    capabilities: {
      sizes: BFL_SIZES,
      formats: [...ALL_FORMATS],
      num_images: ONE,
      input_image: "none",
      seed: true,
      steps: { min: 1, max: 50, default: 28 },
      guidance: { min: 1.5, max: 5, default: 3 },
    },
    price: { unit: "image", amount: "0.025", as_of: "2026-12-04" },
    options: {
      input: {
        prompt: "prompt",
        size: { to: ["width", "height"], as: "width-height" },
        format: { to: "output_format", map: { PNG: "png", JPEG: "jpeg", WEBP: "png" } },
        seed: "seed",
        steps: "steps",
        guidance: "guidance",
      },
    },
  },
];
