import { z } from "zod";

/**
 * The mapping language of a catalog entry: how Sorami's parameters become a
 * hosted model's input, and where its output files are. fal and Replicate
 * host hundreds of models whose input names differ (`num_images` here,
 * `num_outputs` there; `image_size: {width, height}` or `aspect_ratio:
 * "16:9"`), so an operator declares them in MODELS_FILE instead of code:
 *
 * ```yaml
 * input:
 *   prompt: prompt                          # Sorami's prompt → the model's "prompt"
 *   num_images: num_outputs                 # a plain rename
 *   size: { to: image_size, as: wh-object } # "1024x768" → {"width":1024,"height":768}
 *   format: { to: output_format, map: { PNG: png, JPEG: jpg, WEBP: webp } }
 *   duration_seconds: { to: duration, as: string }   # 5 → "5"
 *   input_image: { to: image_url, as: data-uri }     # bytes → data:image/png;base64,…
 * fixed: { enable_safety_checker: true }    # constants sent with every request
 * output: images[].url                      # where the file URLs (or data: URIs) are
 * blocked: has_nsfw_concepts[]              # optional: true here means "blocked by the model's safety checker"
 * ```
 *
 * `as` (default `value`): `value` the value itself; `string` / `number` its
 * text or number; `wh-object` a size as {width, height}; `width-height` a
 * size as two inputs, `to: [width_name, height_name]`; `aspect-ratio` a size
 * as its reduced ratio ("1280x720" → "16:9"); `data-uri` / `base64` the
 * input image. `map` turns Sorami's value into the model's before `as`.
 * A path is names joined by dots, `[]` after a name meaning "every element".
 */

/** Sorami parameters a mapping may send, per kind (the keys of `input`). */
export const MAPPING_SOURCES = {
  image: [
    "prompt",
    "negative_prompt",
    "num_images",
    "size",
    "format",
    "quality",
    "seed",
    "steps",
    "guidance",
    "input_image",
  ],
  video: [
    "prompt",
    "negative_prompt",
    "number_of_videos",
    "aspect_ratio",
    "duration_seconds",
    "person_generation",
    "seed",
    "input_image",
  ],
} as const;
export type MappingSource = (typeof MAPPING_SOURCES)[keyof typeof MAPPING_SOURCES][number];

export const MAPPING_TRANSFORMS = [
  "value",
  "string",
  "number",
  "wh-object",
  "width-height",
  "aspect-ratio",
  "data-uri",
  "base64",
] as const;
export type MappingTransform = (typeof MAPPING_TRANSFORMS)[number];

/** What a size-only or image-only transform needs as its source. */
const SIZE_TRANSFORMS: readonly MappingTransform[] = ["wh-object", "width-height", "aspect-ratio"];
const IMAGE_TRANSFORMS: readonly MappingTransform[] = ["data-uri", "base64"];

/** A model's input name: what JSON bodies and Python keyword arguments can carry. */
const inputName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an input name (letters, digits and _)" });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const mappingTargetSchema = z.union([
  inputName,
  z.strictObject({
    to: z.union([inputName, z.tuple([inputName, inputName])]),
    as: z.enum(MAPPING_TRANSFORMS, { error: `must be one of ${MAPPING_TRANSFORMS.join(", ")}` }).default("value"),
    map: z.record(z.string(), scalar).optional(),
  }),
]);
export type MappingTarget = z.infer<typeof mappingTargetSchema>;
/** As written in a file or a built-in entry (`as` may be left out). */
export type MappingTargetInput = z.input<typeof mappingTargetSchema>;

/** A path into a JSON answer: `images[].url`, `output[]`, `video.url`. */
export const OUTPUT_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)*$/;
export const outputPathSchema = z
  .string()
  .regex(OUTPUT_PATH_PATTERN, { error: "must be names joined by dots, [] after a name for every element" });

/** JSON constants sent with every request. */
export const fixedInputsSchema = z.record(inputName, z.json()).default({});

export const inputMappingSchema = z.record(z.string(), mappingTargetSchema);
export type InputMapping = z.infer<typeof inputMappingSchema>;

/** The normalised form of one mapping line. */
export function targetOf(target: MappingTargetInput): {
  to: string | readonly [string, string];
  as: MappingTransform;
  map?: Record<string, string | number | boolean>;
} {
  return typeof target === "string" ? { to: target, as: "value" } : { ...target, as: target.as ?? "value" };
}

/**
 * Problems a schema cannot see: a source the kind does not have, a
 * transform that does not fit its source, `to: [a, b]` without
 * `width-height`. Each names its path inside `input`.
 */
export function mappingProblems(kind: "image" | "video", input: InputMapping): { path: string[]; message: string }[] {
  const sources: readonly string[] = MAPPING_SOURCES[kind];
  const problems: { path: string[]; message: string }[] = [];
  for (const [source, raw] of Object.entries(input)) {
    const at = (message: string) => problems.push({ path: [source], message });
    if (!sources.includes(source)) {
      at(`${source} is not a Sorami ${kind} parameter; one of ${sources.join(", ")}`);
      continue;
    }
    const t = targetOf(raw);
    const pair = Array.isArray(t.to);
    if (pair !== (t.as === "width-height")) {
      at(pair ? "to: [width, height] needs as: width-height" : "as: width-height needs to: [width_name, height_name]");
    } else if (SIZE_TRANSFORMS.includes(t.as) && source !== "size") {
      at(`as: ${t.as} applies to size only`);
    } else if (IMAGE_TRANSFORMS.includes(t.as) !== (source === "input_image")) {
      at(
        source === "input_image"
          ? "input_image needs as: data-uri or as: base64"
          : `as: ${t.as} applies to input_image only`,
      );
    }
  }
  return problems;
}
