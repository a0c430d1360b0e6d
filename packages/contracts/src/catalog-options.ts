import { z } from "zod";
import type { CatalogEntry, CatalogProvider } from "./catalog";
import {
  fixedInputsSchema,
  inputMappingSchema,
  type MappingSource,
  mappingProblems,
  outputPathSchema,
} from "./catalog-mapping";

/**
 * The `options` of a catalog entry, per provider: what that provider's
 * module reads to call the model. They are validated at start with the rest
 * of the catalog (so a mistake in MODELS_FILE stops `npm start` with the
 * file, entry and field named), but only the provider's module interprets them.
 */

/** fal: the app id (defaults to the entry id, e.g. `fal-ai/flux/schnell`), the input mapping and where the files are. */
export const falOptionsSchema = z.strictObject({
  app: z
    .string()
    .regex(/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._/-]+)?$/, { error: "must be owner/app or owner/app/path" })
    .optional(),
  input: inputMappingSchema,
  fixed: fixedInputsSchema,
  output: outputPathSchema,
  blocked: outputPathSchema.optional(),
});
export type FalOptions = z.infer<typeof falOptionsSchema>;

/** Replicate: an official model (`owner/name`, defaults to the id after `replicate:`) or a version id. */
export const replicateOptionsSchema = z.strictObject({
  model: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/, { error: "must be owner/name" })
    .optional(),
  version: z
    .string()
    .regex(/^[a-f0-9]{64}$/, { error: "must be a 64-character version id" })
    .optional(),
  input: inputMappingSchema,
  fixed: fixedInputsSchema,
  /** Paths start at the prediction: `output` (one URL) or `output[]` (a list). */
  output: outputPathSchema,
});
export type ReplicateOptions = z.infer<typeof replicateOptionsSchema>;

/** Black Forest Labs: the endpoint after /v1/ (defaults to the id after `bfl:`); the file is always `result.sample`. */
export const bflOptionsSchema = z.strictObject({
  endpoint: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/, { error: "must be an endpoint name such as flux-pro-1.1" })
    .optional(),
  input: inputMappingSchema,
  fixed: fixedInputsSchema,
});
export type BflOptions = z.infer<typeof bflOptionsSchema>;

export const SERVER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** An OpenAI-compatible server (declared under `servers:` in MODELS_FILE) and the model name it knows. */
export const openaiCompatibleOptionsSchema = z.strictObject({
  server: z.string().regex(SERVER_NAME_PATTERN, { error: "must be a server name declared under servers" }),
  model: z.string().min(1).max(200),
  /** Sent when set: LocalAI and most gateways honour it; OpenAI's GPT image models refuse it. */
  response_format: z.enum(["b64_json", "url"]).optional(),
  fixed: fixedInputsSchema,
});
export type OpenAICompatibleOptions = z.infer<typeof openaiCompatibleOptionsSchema>;

/** The built-in providers take at most another vendor model name of the same family. */
const builtInOptionsSchema = z.strictObject({ model: z.string().min(1).max(200).optional() });

/** Providers whose options another module owns (bring-your-own-GPU engines) pass through untouched here. */
const OPTIONS_SCHEMAS: Record<CatalogProvider, z.ZodType> = {
  local: builtInOptionsSchema,
  gemini: builtInOptionsSchema,
  veo: builtInOptionsSchema,
  openai: builtInOptionsSchema,
  fal: falOptionsSchema,
  replicate: replicateOptionsSchema,
  bfl: bflOptionsSchema,
  "openai-compatible": openaiCompatibleOptionsSchema,
  comfyui: z.record(z.string(), z.unknown()),
  a1111: z.record(z.string(), z.unknown()),
  upscaler: z.record(z.string(), z.unknown()),
};

/**
 * A union's own message ("Invalid input") says nothing; the branch that got
 * furthest into the value does (`as: must be one of …`). Paths of a branch's
 * issues are relative to the union's.
 */
export function mostSpecificIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) {
    return issue;
  }
  const candidates = issue.errors.flat().map((i) => mostSpecificIssue({ ...i, path: [...issue.path, ...i.path] }));
  return candidates.reduce((best, i) => (i.path.length > best.path.length ? i : best));
}

export type OptionsProblem = { path: (string | number)[]; message: string };

/**
 * Every problem with an entry's options, each with its path inside the
 * entry: the provider's schema, the mapping's own rules, and what the
 * capabilities promise but the mapping does not send (a model said to take
 * a seed must map `seed`, one making several images per call `num_images`…).
 */
export function entryOptionsProblems(entry: CatalogEntry): OptionsProblem[] {
  const parsed = OPTIONS_SCHEMAS[entry.provider].safeParse(entry.options);
  if (!parsed.success) {
    return parsed.error.issues.map(mostSpecificIssue).map((i) => ({
      path: ["options", ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
      message: i.message,
    }));
  }
  const options = parsed.data as { input?: z.infer<typeof inputMappingSchema> };
  const problems: OptionsProblem[] = [];
  if (entry.provider === "replicate") {
    const r = parsed.data as ReplicateOptions;
    if (r.model && r.version) {
      problems.push({ path: ["options", "version"], message: "give model or version, not both" });
    }
    if (!r.model && !r.version && !entry.id.startsWith("replicate:")) {
      problems.push({ path: ["options", "model"], message: "is required when the id does not start with replicate:" });
    }
  }
  if (
    entry.provider === "fal" &&
    !(parsed.data as FalOptions).app &&
    !falOptionsSchema.shape.app.safeParse(entry.id).success
  ) {
    problems.push({
      path: ["options", "app"],
      message: "is required when the id is not a fal app id (owner/app/path)",
    });
  }
  if (!options.input) {
    return problems;
  }
  const input = options.input;
  for (const p of mappingProblems(entry.kind, input)) {
    problems.push({ path: ["options", "input", ...p.path], message: p.message });
  }
  const needs = (source: MappingSource, why: string) => {
    if (!(source in input)) {
      problems.push({ path: ["options", "input", source], message: `must be mapped: ${why}` });
    }
  };
  needs("prompt", "every model takes the prompt");
  const caps = entry.capabilities;
  if (caps.seed) {
    needs("seed", "the capabilities say the model takes a seed");
  }
  if (caps.negative_prompt) {
    needs("negative_prompt", "the capabilities say the model takes a negative prompt");
  }
  if (caps.input_image !== "none") {
    needs("input_image", `the capabilities say the input image is ${caps.input_image}`);
  }
  if (entry.kind === "image") {
    if (entry.capabilities.steps) {
      needs("steps", "the capabilities give steps");
    }
    if (entry.capabilities.guidance) {
      needs("guidance", "the capabilities give guidance");
    }
    if (entry.capabilities.num_images.max > 1) {
      needs("num_images", "the capabilities allow more than one image per job");
    }
  } else {
    if (entry.capabilities.number_of_videos.max > 1) {
      needs("number_of_videos", "the capabilities allow more than one video per job");
    }
    if (entry.capabilities.durations.min !== entry.capabilities.durations.max) {
      needs("duration_seconds", "the capabilities allow more than one duration");
    }
    if (entry.capabilities.aspect_ratios.length > 1) {
      needs("aspect_ratio", "the capabilities allow more than one aspect ratio");
    }
  }
  return problems;
}

/**
 * What must be configured for an entry to be active: its provider's key
 * (`fal`, `replicate`…), or for an OpenAI-compatible model its server
 * (`openai-compatible:localai`). The env modules compute the configured set;
 * `local` is always there unless disabled.
 */
export function requirementOf(entry: CatalogEntry): string {
  if (entry.provider === "openai-compatible") {
    const server = (entry.options as { server?: unknown }).server;
    return `openai-compatible:${typeof server === "string" ? server : ""}`;
  }
  return entry.provider;
}
