import type { ImageCapabilities } from "@sorami/contracts";

/**
 * The knobs the model catalog offers beyond document 004's form: a negative
 * prompt, a seed, steps and guidance. They reach a provider inside its
 * params once the catalog's request schemas carry them; until then (and for
 * a model whose capabilities lack one) they are simply absent, and the
 * catalog entry's defaults apply.
 */
export type Knobs = { negative_prompt?: string; seed?: number; steps?: number; guidance?: number };

/** Reads the knobs present in a job's parameters, ignoring anything of the wrong type. */
export function knobsOf(params: object): Knobs {
  const p = params as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const text = typeof p.negative_prompt === "string" && p.negative_prompt.trim() ? p.negative_prompt : undefined;
  return { negative_prompt: text, seed: num(p.seed), steps: num(p.steps), guidance: num(p.guidance) };
}

/** Largest seed handed to an engine: both take 64-bit seeds, JSON carries integers exactly up to 2^53. */
export const SEED_MAX = Number.MAX_SAFE_INTEGER;

/** A seed for a job that gave none: random, so two jobs with the same prompt differ (and engines do not serve a cache). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** Steps and guidance from the job, else the model's default; null when the model exposes no such knob. */
export function knobValue(
  knob: ImageCapabilities["steps"] | ImageCapabilities["guidance"],
  given: number | undefined,
): number | null {
  if (!knob) {
    return null;
  }
  return given ?? knob.default;
}
