import type { z } from "zod";
import type { CatalogModel } from "./catalog";
import { capabilityViolation } from "./catalog-rules";
import { AppError } from "./errors";
import { modelIdSchema } from "./ids";
import { IMAGE_DEFAULTS } from "./images";
import type { JobKind } from "./jobs";
import { VIDEO_DEFAULTS } from "./video";

/**
 * How a submission meets the catalog, the same in both services (the web
 * app at submit, the generator for callers that reach it directly): the
 * model it names (absent: the kind's default), the parameters it leaves out
 * filled from that model (document 004's defaults where the model allows
 * them, else the model's first choice: Kling's 5 s, MiniMax's 6 s), then the
 * kind's schema (400), then the model's capabilities (422 naming the field
 * and the allowed values).
 */

/** Model ids listed in a refusal, at most: a catalog file may declare hundreds. */
const LISTED_MODELS_MAX = 20;

/** The active model a submission names, or its kind's default; anything else is a 422 naming `model`. */
export function chooseModel<M extends CatalogModel & { default: boolean }>(
  models: readonly M[],
  kind: JobKind,
  requested: string | undefined,
): M {
  const ofKind = models.filter((m) => m.kind === kind);
  const found = requested === undefined ? ofKind.find((m) => m.default) : ofKind.find((m) => m.id === requested);
  if (found) {
    return found;
  }
  if (requested === undefined) {
    throw new AppError("unavailable", `No ${kind} model is active`);
  }
  const ids = ofKind.map((m) => m.id);
  const listed = ids.slice(0, LISTED_MODELS_MAX).join(", ") + (ids.length > LISTED_MODELS_MAX ? ", …" : "");
  const other = models.find((m) => m.id === requested);
  throw new AppError(
    "unprocessable",
    other
      ? `model ${requested} is ${other.kind === "image" ? "an" : "a"} ${other.kind} model; active ${kind} models: ${listed}`
      : `model ${requested} is not an active ${kind} model; active: ${listed}`,
    { field: "model" },
  );
}

const pick = <T>(preferred: T, allowed: readonly T[]): T =>
  allowed.includes(preferred) ? preferred : (allowed[0] ?? preferred);

const hasImage = (body: Record<string, unknown>) =>
  Boolean(body.input_image_base64) || Boolean(body.input_image_url) || Boolean(body.input_image_key);

/** The values a model uses for what a request leaves out: document 004's where the model allows them. */
export function modelDefaults(model: CatalogModel, withInputImage: boolean): Record<string, string | number> {
  if (model.kind === "image") {
    const c = model.capabilities;
    return {
      size: pick<string>(IMAGE_DEFAULTS.size, c.sizes),
      format: pick<string>(IMAGE_DEFAULTS.format, c.formats),
      quality: pick<string>(IMAGE_DEFAULTS.quality, c.qualities),
      num_images: Math.min(Math.max(IMAGE_DEFAULTS.num_images, c.num_images.min), c.num_images.max),
    };
  }
  const c = model.capabilities;
  const { min, max, step } = c.durations;
  const wanted = VIDEO_DEFAULTS.duration_seconds;
  const duration = wanted >= min && wanted <= max && (wanted - min) % step === 0 ? wanted : min;
  const people = withInputImage ? c.person_generation.image : c.person_generation.text;
  return {
    aspect_ratio: pick<string>(VIDEO_DEFAULTS.aspect_ratio, c.aspect_ratios),
    duration_seconds: duration,
    number_of_videos: Math.min(
      Math.max(VIDEO_DEFAULTS.number_of_videos, c.number_of_videos.min),
      c.number_of_videos.max,
    ),
    person_generation: pick<string>(VIDEO_DEFAULTS.person_generation, people),
  };
}

/** `body` with the chosen model's id and its defaults for every parameter it leaves out (a non-object is left to the schema). */
export function withModelDefaults(model: CatalogModel, body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return body;
  }
  const given = body as Record<string, unknown>;
  const filled: Record<string, unknown> = { ...given, model: model.id };
  for (const [key, value] of Object.entries(modelDefaults(model, hasImage(given)))) {
    if (given[key] === undefined) {
      filled[key] = value;
    }
  }
  return filled;
}

/** The well-formed model id a body names, if any (a malformed one is left for the schema to refuse with a 400). */
export function requestedModelId(body: unknown): string | undefined {
  const raw = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
  return modelIdSchema.safeParse(raw).success ? (raw as string) : undefined;
}

/**
 * A submission checked against the catalog: its model chosen, its defaults
 * filled from that model, the schema applied (400), then the model's
 * capabilities (422). `withInputImage` says whether an input image comes
 * beside the body (an upload decoded apart, a stored key).
 */
export function parseForModel<S extends z.ZodType, M extends CatalogModel & { default: boolean }>(
  models: readonly M[],
  kind: JobKind,
  schema: S,
  body: unknown,
  withInputImage?: boolean,
): { model: M; params: z.infer<S> } {
  const rawModel = typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;
  const id = requestedModelId(body);
  if (rawModel !== undefined && id === undefined) {
    // Not a well-formed model id: the schema refuses it (400 naming `model`, or an earlier field).
    const refused = schema.safeParse(body);
    if (!refused.success) {
      throw AppError.fromZod(refused.error);
    }
  }
  const model = chooseModel(models, kind, id);
  const parsed = schema.safeParse(withModelDefaults(model, body));
  if (!parsed.success) {
    throw AppError.fromZod(parsed.error);
  }
  const params = parsed.data as z.infer<S> & Record<string, unknown>;
  const violation = capabilityViolation(
    model,
    params as never,
    withInputImage ?? hasImage(params as Record<string, unknown>),
  );
  if (violation) {
    throw new AppError("unprocessable", violation.message, { field: violation.field });
  }
  return { model, params };
}
