import { z } from "zod";
import { MODEL_ID_MAX_LENGTH } from "./limits";

/**
 * Which model serves a job and how it came to: what the generator reports
 * with every status from the provider call on (webhooks' `serving`, its job
 * view), and what the web app shows on the result and the detail page.
 */

/** The failure kinds that move a job to a fallback model (content and request problems never do). */
export const FALLBACK_REASONS = ["rate_limit", "timeout", "transient"] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** A provider's request id (fal request_id, Replicate prediction id, Veo operation name…), at most this long. */
export const REQUEST_ID_MAX_LENGTH = 500;

/** One move to a fallback: the model that failed, the one tried next, and why (the provider's words). */
export const fallbackStepSchema = z.object({
  from: z.string().max(MODEL_ID_MAX_LENGTH),
  to: z.string().max(MODEL_ID_MAX_LENGTH),
  reason: z.enum(FALLBACK_REASONS),
  message: z.string().max(1000),
});
export type FallbackStep = z.infer<typeof fallbackStepSchema>;

/** The most moves a job can make: a catalog entry names at most five fallbacks. */
export const FALLBACK_STEPS_MAX = 5;

export const servingSchema = z.object({
  /** The catalog id of the model serving the job now (the one that made its files, once completed). */
  model: z.string().max(MODEL_ID_MAX_LENGTH),
  provider: z.string().max(64),
  /** The provider's own id for the work, once submitted (asynchronous providers). */
  request_id: z.string().max(REQUEST_ID_MAX_LENGTH).optional(),
  /** The moves to fallback models so far, in order. */
  fallbacks: z.array(fallbackStepSchema).max(FALLBACK_STEPS_MAX).optional(),
});
export type Serving = z.infer<typeof servingSchema>;

/**
 * A provider's own handle on work it does for a job: a fal request_id, a
 * Replicate prediction id, a Veo operation name, a ComfyUI prompt_id, a BFL
 * id. The generator stores it in its job row, in its own committed
 * transaction, **before** the first wait, so a run that starts again (a
 * killed generator, a retry) resumes waiting on it instead of paying for the
 * same work twice. JSON only: it lives in a jsonb column.
 */
export const remoteHandleSchema = z.object({
  /** The provider's request id. */
  id: z.string().min(1).max(REQUEST_ID_MAX_LENGTH),
  /** Which instance holds it (a ComfyUI or A1111 base URL) when the provider has several. */
  instance: z.string().optional(),
  /** Whatever else resuming needs (a BFL polling_url, fal's app). */
  state: z.record(z.string(), z.unknown()).optional(),
});
export type RemoteHandle = z.infer<typeof remoteHandleSchema>;
