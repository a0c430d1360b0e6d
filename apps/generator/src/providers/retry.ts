import { setTimeout as sleep } from "node:timers/promises";
import { parseRetryAfterSeconds, storableText, truncateText } from "@sorami/contracts";
import type { ProviderError } from "./types";

/** What a remote service said is quoted to the user up to this many UTF-16 units. */
export const PROVIDER_MESSAGE_MAX_LENGTH = 300;

/**
 * Retries of one provider call inside one run of a job. A short wait (a
 * 429 asking for a few seconds, a blip of 5xx) is cheaper here than a whole
 * re-run, which would redo the images already made; a long one is handed
 * to the queue (the thrown ProviderError carries its Retry-After) so the
 * worker is free meanwhile.
 */
export const CALL_ATTEMPTS = 3;
/** Backoff between attempts when the provider names no delay: 0.5 s, then 1 s. */
export const CALL_RETRY_BASE_MS = 500;
/** A provider asking for a longer wait than this is retried by the queue instead. */
export const CALL_RETRY_MAX_WAIT_MS = 10_000;

export type RetryPolicy = { attempts: number; baseMs: number; maxWaitMs: number };
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: CALL_ATTEMPTS,
  baseMs: CALL_RETRY_BASE_MS,
  maxWaitMs: CALL_RETRY_MAX_WAIT_MS,
};

/**
 * Runs `call`, classifying what it throws with `classify`; retryable errors
 * (rate limit, timeout, transient) run it again after the provider's
 * Retry-After or an exponential backoff, within `policy`. A canceled or
 * timed-out job (its signal) stops at once with the signal's error.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  classify: (error: unknown) => ProviderError,
  signal: AbortSignal,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      const classified = classify(error);
      const waitMs = classified.retryAfterMs ?? policy.baseMs * 2 ** (attempt - 1);
      if (!classified.retryable || attempt >= policy.attempts || waitMs > policy.maxWaitMs) {
        throw classified;
      }
      await sleep(waitMs, undefined, { signal });
    }
  }
}

/** A Retry-After header in milliseconds, or undefined (the one parser is contracts' parseRetryAfterSeconds). */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  const seconds = parseRetryAfterSeconds(value);
  return seconds === null ? undefined : Math.round(seconds * 1000);
}

/** Shortens what a remote service said, for a message a user reads. */
export function excerpt(text: string, max = PROVIDER_MESSAGE_MAX_LENGTH): string {
  // A vendor's JSON may carry "\ud800" escapes: its message must stay storable wherever it goes.
  return storableText(truncateText(text.replace(/\s+/g, " ").trim(), max, { ellipsis: "…" }));
}
