import type { CatalogEntry, CatalogModel, ImageModel, VideoModel } from "./catalog";
import type { ImageParams } from "./images";
import type { PersonGeneration, VideoParams } from "./video";

/**
 * What the catalog checks before a job exists: the first parameter the
 * chosen model cannot serve, with the field and the allowed values (the web
 * app answers 422 with it; a provider checks again before paying for a
 * call), for any catalog model.
 */
export type CapabilityViolation = { field: string; message: string };

/** The knobs a catalog model may expose beyond the documents' form (absent = not asked for). */
type Extras = { negative_prompt?: string; seed?: number; steps?: number; guidance?: number };

export type ImageRequest = Pick<ImageParams, "size" | "format" | "quality" | "num_images"> & {
  input_image_url?: string;
} & Extras;
export type VideoRequest = Pick<VideoParams, "aspect_ratio" | "duration_seconds" | "number_of_videos"> & {
  person_generation?: PersonGeneration;
  input_image_url?: string;
  input_image_base64?: string;
} & Extras;

const list = (values: readonly (string | number)[]) => values.join(", ");

function notAllowed(field: string, value: string | number, allowed: readonly (string | number)[], model: string) {
  return allowed.includes(value)
    ? null
    : { field, message: `${field} ${value} is not supported by ${model}; allowed: ${list(allowed)}` };
}

function outOfRange(field: string, value: number, range: { min: number; max: number }, model: string) {
  if (value >= range.min && value <= range.max) {
    return null;
  }
  return {
    field,
    message:
      range.min === range.max
        ? `${field} must be ${range.max} for ${model}`
        : `${field} must be ${range.min}-${range.max} for ${model}`,
  };
}

/** Input image, negative prompt, seed, steps and guidance: the same rules for both kinds. */
function extrasViolation(
  caps: {
    input_image: CatalogEntry["capabilities"]["input_image"];
    negative_prompt: boolean;
    seed: boolean;
    steps?: { min: number; max: number };
    guidance?: { min: number; max: number };
  },
  params: Extras,
  withInputImage: boolean,
  imageField: string,
  model: string,
): CapabilityViolation | null {
  if (withInputImage && caps.input_image === "none") {
    return { field: imageField, message: `${imageField} is not supported by ${model}; leave it empty` };
  }
  if (!withInputImage && caps.input_image === "required") {
    return { field: imageField, message: `${imageField} is required by ${model}` };
  }
  if (params.negative_prompt && !caps.negative_prompt) {
    return { field: "negative_prompt", message: `negative_prompt is not supported by ${model}; leave it empty` };
  }
  if (params.seed !== undefined && !caps.seed) {
    return { field: "seed", message: `seed is not supported by ${model}; leave it out` };
  }
  for (const field of ["steps", "guidance"] as const) {
    const value = params[field];
    if (value === undefined) {
      continue;
    }
    const knob = caps[field];
    if (!knob) {
      return { field, message: `${field} is not supported by ${model}; leave it out` };
    }
    const refused = outOfRange(field, value, knob, model);
    if (refused) {
      return refused;
    }
  }
  return null;
}

function imageViolation(entry: ImageModel, params: ImageRequest, withInputImage: boolean): CapabilityViolation | null {
  const caps = entry.capabilities;
  const model = entry.id;
  return (
    notAllowed("size", params.size, caps.sizes, model) ??
    notAllowed("format", params.format, caps.formats, model) ??
    notAllowed("quality", params.quality, caps.qualities, model) ??
    outOfRange("num_images", params.num_images, caps.num_images, model) ??
    extrasViolation(caps, params, withInputImage, "input_image_url", model)
  );
}

/** Every duration a video model accepts, in seconds. */
export function catalogDurations(entry: VideoModel): number[] {
  const { min, max, step } = entry.capabilities.durations;
  const out: number[] = [];
  for (let s = min; s <= max; s += step) {
    out.push(s);
  }
  return out;
}

function videoViolation(entry: VideoModel, params: VideoRequest, withInputImage: boolean): CapabilityViolation | null {
  const caps = entry.capabilities;
  const model = entry.id;
  const aspect = notAllowed("aspect_ratio", params.aspect_ratio, caps.aspect_ratios, model);
  if (aspect) {
    return aspect;
  }
  const durations = catalogDurations(entry);
  if (!durations.includes(params.duration_seconds)) {
    const d = caps.durations;
    return {
      field: "duration_seconds",
      message:
        d.step === 1
          ? `duration_seconds must be ${d.min}-${d.max} for ${model}`
          : `duration_seconds must be one of ${list(durations)} for ${model}`,
    };
  }
  const count = outOfRange("number_of_videos", params.number_of_videos, caps.number_of_videos, model);
  if (count) {
    return count;
  }
  const modes = withInputImage ? caps.person_generation.image : caps.person_generation.text;
  if (params.person_generation && !modes.includes(params.person_generation)) {
    return {
      field: "person_generation",
      message: `person_generation ${params.person_generation} is not allowed by ${model} ${withInputImage ? "with" : "without"} an input image; allowed: ${list(modes)}`,
    };
  }
  const imageField = params.input_image_url ? "input_image_url" : "input_image_base64";
  return extrasViolation(caps, params, withInputImage, imageField, model);
}

/**
 * The first parameter `entry` cannot serve, or null. `withInputImage`
 * defaults to whether the request carries one (an uploaded image is checked
 * after decoding, so the caller may say so explicitly).
 */
export function capabilityViolation(
  entry: ImageModel,
  params: ImageRequest,
  withInputImage?: boolean,
): CapabilityViolation | null;
export function capabilityViolation(
  entry: VideoModel,
  params: VideoRequest,
  withInputImage?: boolean,
): CapabilityViolation | null;
export function capabilityViolation(
  entry: CatalogModel,
  params: ImageRequest | VideoRequest,
  withInputImage?: boolean,
): CapabilityViolation | null;
export function capabilityViolation(
  entry: CatalogModel,
  params: ImageRequest | VideoRequest,
  withInputImage?: boolean,
): CapabilityViolation | null {
  if (entry.kind === "image") {
    const p = params as ImageRequest;
    return imageViolation(entry, p, withInputImage ?? Boolean(p.input_image_url));
  }
  const p = params as VideoRequest;
  return videoViolation(entry, p, withInputImage ?? Boolean(p.input_image_url || p.input_image_base64));
}
