import { expect } from "vitest";
import type { ProviderProgress } from "./types";
import { ProviderError } from "./types";

/** Shared by the contract tests of the hosted providers (fal, Replicate, BFL): fast schedules, contexts, failures. */
export const FAST_POLL = { initialMs: 10, factor: 1, maxMs: 10, maxConsecutiveErrors: 3 };
export const FAST_RETRY = { attempts: 3, baseMs: 10, maxWaitMs: 10_000 };

export function context(over: { signal?: AbortSignal; inputImage?: Buffer } = {}) {
  const progress: ProviderProgress[] = [];
  return {
    progress,
    ctx: {
      jobId: "job-1",
      attempt: 1,
      signal: over.signal ?? new AbortController().signal,
      inputImage: over.inputImage,
      onProgress: (p: ProviderProgress) => progress.push(p),
    },
  };
}

export async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** Bytes of a URL on a stand-in (the file a run made), for "the result is that submission's output". */
export async function bytesAt(url: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}
