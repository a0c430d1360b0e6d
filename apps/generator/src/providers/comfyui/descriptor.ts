import {
  catalogEntrySchema,
  imageCapabilitiesSchema,
  modelIdSchema,
  VIDEO_ASPECT_RATIOS,
  videoCapabilitiesSchema,
} from "@sorami/contracts";
import { z } from "zod";

/**
 * A workflow descriptor: the small JSON file (`<name>.sorami.json`) an
 * operator puts beside a workflow saved in ComfyUI's API format. It is a
 * catalog entry (id, kind, label, capabilities) plus where each of Sorami's
 * parameters goes in the graph and which node holds the result. See
 * README.md "Use your own GPUs" and examples/comfyui-workflows/.
 */

/** One node input that receives a parameter. */
const targetSchema = z.strictObject({
  node: z.string().min(1, { error: "is required" }),
  input: z.string().min(1, { error: "is required" }),
});
/** A parameter may go to several inputs (an SDXL text encoder's text_g and text_l, two samplers' seeds). */
const targetsSchema = z
  .union([targetSchema, z.array(targetSchema).min(1).max(8)])
  .transform((t) => (Array.isArray(t) ? t : [t]));
export type Target = z.infer<typeof targetSchema>;

/** Every parameter a descriptor can route; which ones a kind may use is checked with the capabilities. */
export const MAPPABLE_INPUTS = [
  "prompt",
  "negative_prompt",
  "seed",
  "steps",
  "guidance",
  "width",
  "height",
  "aspect_ratio",
  "batch_size",
  "input_image",
  "duration_seconds",
  "frames",
] as const;
export type MappableInput = (typeof MAPPABLE_INPUTS)[number];

const inputsSchema = z.strictObject({
  prompt: targetsSchema,
  negative_prompt: targetsSchema.optional(),
  seed: targetsSchema.optional(),
  steps: targetsSchema.optional(),
  guidance: targetsSchema.optional(),
  width: targetsSchema.optional(),
  height: targetsSchema.optional(),
  /** Receives the ratio as text ("16:9"), for workflows whose size node takes one. */
  aspect_ratio: targetsSchema.optional(),
  batch_size: targetsSchema.optional(),
  /** Receives the uploaded input image's name (a LoadImage node's `image`). */
  input_image: targetsSchema.optional(),
  duration_seconds: targetsSchema.optional(),
  /** Receives duration × fps, for video workflows counted in frames. */
  frames: targetsSchema.optional(),
});

const sizeText = z.string().regex(/^\d{2,5}x\d{2,5}$/, { error: "must be WIDTHxHEIGHT" });

const common = {
  $schema: z.string().optional(),
  id: modelIdSchema,
  label: z.string().min(1).max(200),
  /** The workflow file (ComfyUI API format), relative to the descriptor's folder. */
  workflow: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
      error: "must be a file inside the workflows folder",
    }),
  inputs: inputsSchema,
  /** The node whose outputs are the job's files; `key` picks one list of its outputs (images, gifs, videos). */
  output: z.strictObject({ node: z.string().min(1), key: z.string().min(1).optional() }),
  fallbacks: z.array(modelIdSchema).max(5).optional(),
  price: z.unknown().optional(),
};

export const descriptorSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...common, kind: z.literal("image"), capabilities: imageCapabilitiesSchema }),
  z.strictObject({
    ...common,
    kind: z.literal("video"),
    capabilities: videoCapabilitiesSchema,
    /** Frames per second of the workflow, when `frames` receives duration × fps. */
    fps: z.number().positive().max(240).optional(),
    /** The pixel size each aspect ratio renders at, when width and height are mapped. */
    video_sizes: z.partialRecord(z.enum(VIDEO_ASPECT_RATIOS), sizeText).optional(),
  }),
]);
export type Descriptor = z.infer<typeof descriptorSchema>;

/** A workflow in ComfyUI's API format: node id → class and inputs (a link is `[node id, output index]`). */
export type ComfyGraph = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }>;

export type Problem = { field: string; message: string };

/** `inputs.seed.0.node` → `inputs.seed[0].node`, as an operator reads a JSON path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") {
      return `${out}[${key}]`;
    }
    return out ? `${out}.${String(key)}` : String(key);
  }, "");
}

/** Reads a workflow file's JSON as an API-format graph, or says why it is not one. */
export function asApiGraph(json: unknown): ComfyGraph | string {
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    return "is not a JSON object";
  }
  const obj = json as Record<string, unknown>;
  if (Array.isArray(obj.nodes) && "links" in obj) {
    return "is in ComfyUI's UI format; export it with Workflow → Export (API) (or “Save (API Format)”)";
  }
  const entries = Object.entries(obj);
  if (entries.length === 0) {
    return "has no nodes";
  }
  for (const [id, node] of entries) {
    const n = node as { class_type?: unknown; inputs?: unknown } | null;
    if (!n || typeof n !== "object" || typeof n.class_type !== "string" || !n.inputs || typeof n.inputs !== "object") {
      return `node "${id}" has no class_type and inputs: not a workflow in ComfyUI's API format`;
    }
  }
  return obj as ComfyGraph;
}

const isLink = (v: unknown) => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";

/** Every mapped input must exist on its node and hold a value (not a link); the output node must exist. */
export function checkAgainstGraph(d: Descriptor, graph: ComfyGraph, workflowFile: string): Problem[] {
  const problems: Problem[] = [];
  for (const key of MAPPABLE_INPUTS) {
    const targets = d.inputs[key] ?? [];
    targets.forEach((t, i) => {
      const field = `inputs.${key}${targets.length > 1 ? `[${i}]` : ""}`;
      const node = graph[t.node];
      if (!node) {
        problems.push({ field: `${field}.node`, message: `node "${t.node}" is not in ${workflowFile}` });
        return;
      }
      if (!(t.input in node.inputs)) {
        const has = Object.keys(node.inputs).join(", ") || "no inputs";
        problems.push({
          field: `${field}.input`,
          message: `node "${t.node}" (${node.class_type}) has no input "${t.input}"; it has ${has}`,
        });
        return;
      }
      if (isLink(node.inputs[t.input])) {
        problems.push({
          field: `${field}.input`,
          message: `input "${t.input}" of node "${t.node}" (${node.class_type}) is linked to another node; map a value input`,
        });
      }
    });
  }
  if (!graph[d.output.node]) {
    problems.push({ field: "output.node", message: `node "${d.output.node}" is not in ${workflowFile}` });
  }
  return problems;
}

/** The descriptor's capabilities and its mapping must agree: nothing offered that the workflow cannot receive. */
export function checkCapabilities(d: Descriptor): Problem[] {
  const problems: Problem[] = [];
  const has = (k: MappableInput) => Boolean(d.inputs[k]);
  const pair = (offered: boolean, key: MappableInput, capability: string) => {
    if (offered && !has(key)) {
      problems.push({ field: `inputs.${key}`, message: `is required because capabilities.${capability} is offered` });
    }
    if (!offered && has(key)) {
      problems.push({
        field: `capabilities.${capability}`,
        message: `must be offered because inputs.${key} is mapped`,
      });
    }
  };
  const caps = d.capabilities;
  pair(caps.negative_prompt, "negative_prompt", "negative_prompt");
  pair(caps.seed, "seed", "seed");
  if (caps.input_image === "optional") {
    problems.push({
      field: "capabilities.input_image",
      message: 'must be "none" or "required": a workflow loads an image or it does not (make two models)',
    });
  } else {
    pair(caps.input_image === "required", "input_image", "input_image");
  }
  if (has("width") !== has("height")) {
    problems.push({ field: has("width") ? "inputs.height" : "inputs.width", message: "width and height go together" });
  }
  if (d.kind === "image") {
    pair(Boolean(d.capabilities.steps), "steps", "steps");
    pair(Boolean(d.capabilities.guidance), "guidance", "guidance");
    if (d.capabilities.num_images.max > 1 && !has("batch_size")) {
      problems.push({ field: "inputs.batch_size", message: "is required when capabilities.num_images.max is above 1" });
    }
    if (!has("width") && !has("aspect_ratio") && d.capabilities.sizes.length > 1) {
      problems.push({
        field: "capabilities.sizes",
        message: "must list one size unless inputs.width/height or inputs.aspect_ratio is mapped",
      });
    }
    for (const k of ["duration_seconds", "frames"] as const) {
      if (has(k)) {
        problems.push({ field: `inputs.${k}`, message: "is for video workflows only" });
      }
    }
    return problems;
  }
  for (const k of ["steps", "guidance"] as const) {
    if (has(k)) {
      problems.push({ field: `inputs.${k}`, message: "is for image workflows only" });
    }
  }
  if (d.capabilities.number_of_videos.max > 1 && !has("batch_size")) {
    problems.push({
      field: "inputs.batch_size",
      message: "is required when capabilities.number_of_videos.max is above 1",
    });
  }
  if (has("frames") && !d.fps) {
    problems.push({ field: "fps", message: "is required when inputs.frames is mapped (frames = duration × fps)" });
  }
  const { durations, aspect_ratios } = d.capabilities;
  if (!has("frames") && !has("duration_seconds") && durations.min !== durations.max) {
    problems.push({
      field: "capabilities.durations",
      message: "must be one duration unless inputs.frames or inputs.duration_seconds is mapped",
    });
  }
  if (has("width")) {
    for (const ratio of aspect_ratios) {
      if (!d.video_sizes?.[ratio]) {
        problems.push({ field: `video_sizes.${ratio}`, message: "is required: width and height are mapped" });
      }
    }
  } else if (!has("aspect_ratio") && aspect_ratios.length > 1) {
    problems.push({
      field: "capabilities.aspect_ratios",
      message: "must list one ratio unless inputs.width/height or inputs.aspect_ratio is mapped",
    });
  }
  return problems;
}

/** The catalog entry a descriptor declares (the mapping stays with the compiled template). */
export function entryOf(d: Descriptor, descriptorFile: string) {
  return catalogEntrySchema.parse({
    id: d.id,
    kind: d.kind,
    provider: "comfyui",
    label: d.label,
    capabilities: d.capabilities,
    ...(d.fallbacks ? { fallbacks: d.fallbacks } : {}),
    ...(d.price !== undefined ? { price: d.price } : {}),
    options: { descriptor: descriptorFile, workflow: d.workflow },
  });
}
