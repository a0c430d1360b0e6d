import { setTimeout as sleep } from "node:timers/promises";
import type { JobKind, ParamsOf } from "@sorami/contracts";
import type { AsyncProvider, ProviderContext, ProviderErrorKind } from "./types";
import { ProviderError } from "./types";

/**
 * The work behind a stored handle ended badly at the provider (a failed
 * Replicate prediction, a BFL task in Error, a fal request whose result is
 * an error): waiting on the same handle again would only see the same end.
 * The pipeline clears the stored handle on this error, so a retry (when the
 * kind is retryable) submits anew; other ProviderErrors from `wait` (a poll
 * that could not reach the provider) keep the handle and resume on it.
 */
export class RemoteWorkFailed extends ProviderError {
  readonly handleSpent = true;
  constructor(kind: ProviderErrorKind, message: string, retryAfterMs?: number) {
    super(kind, message, retryAfterMs);
    this.name = "RemoteWorkFailed";
  }
}

/**
 * How a remote request is polled: first after `initialMs`, then `factor`
 * times longer each time up to `maxMs`. Transient errors while polling don't
 * abandon paid work; `maxConsecutiveErrors` in a row end the run (the handle
 * is kept, so the next run resumes).
 */
export type PollSchedule = { initialMs: number; factor: number; maxMs: number; maxConsecutiveErrors: number };

/** Polls `check` until it returns a value; `classify` turns what it throws into a ProviderError. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  classify: (error: unknown) => Error,
  schedule: PollSchedule,
  signal: AbortSignal,
): Promise<{ value: T; polls: number }> {
  let delay = schedule.initialMs;
  let errors = 0;
  for (let polls = 1; ; polls++) {
    try {
      const value = await check();
      errors = 0;
      if (value !== undefined) {
        return { value, polls };
      }
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      const classified = classify(error);
      if (!(classified instanceof ProviderError) || !classified.retryable || classified instanceof RemoteWorkFailed) {
        throw classified;
      }
      if (++errors >= schedule.maxConsecutiveErrors) {
        throw classified;
      }
    }
    await sleep(delay, undefined, { signal });
    delay = Math.min(delay * schedule.factor, schedule.maxMs);
  }
}

/** Submit, then wait on the handle, in one call: for tests and tools (the pipeline stores the handle between). */
export function runToCompletion<K extends JobKind>(
  provider: AsyncProvider<K>,
  params: ParamsOf<K>,
  ctx: ProviderContext,
) {
  return provider.submit(params, ctx).then((handle) => provider.wait(handle, params, { ...ctx, onProgress: () => {} }));
}
