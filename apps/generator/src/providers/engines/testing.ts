import type { AsyncProviderContext, ProviderProgress } from "../types";

/** Polls until `check` is truthy (not a timing assertion: the deadline only stops a hung test). */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value as NonNullable<T>;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A wait context that records every progress report. */
export function recordingContext(
  jobId: string,
  extra: Partial<AsyncProviderContext> = {},
): AsyncProviderContext & { reports: ProviderProgress[] } {
  const reports: ProviderProgress[] = [];
  return {
    jobId,
    attempt: 1,
    signal: new AbortController().signal,
    onProgress: (p) => reports.push(p),
    reports,
    ...extra,
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) {
    throw new Error(`expected a rejection, got ${outcome === null ? "a result" : String(outcome)}`);
  }
  return outcome;
}
