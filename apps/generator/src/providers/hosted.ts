import type { CatalogEntry, ImageParams, JobKind, ParamsOf, VideoParams } from "@sorami/contracts";
import { type DownloadPolicy, downloadOutputs, toImageFiles, toVideoFile } from "./outputs";
import { RemoteWorkFailed } from "./remote";
import { type GeneratedFile, ProviderError } from "./types";

export { checkCapabilities } from "./entry";

/**
 * What every hosted-model adapter (fal, Replicate, BFL) shares: turning
 * the file references of a finished request into files the pipeline
 * stores, and a vendor's HTTP status in the pipeline's terms.
 */

/** Downloads the references and makes the kind's files; no reference at all is a finished request without output. */
export async function filesFrom<K extends JobKind>(
  entry: CatalogEntry,
  refs: readonly string[],
  params: ParamsOf<K>,
  policy: DownloadPolicy,
  signal: AbortSignal,
): Promise<GeneratedFile[]> {
  if (refs.length === 0) {
    throw new RemoteWorkFailed("no_output", `${policy.vendor} finished ${entry.id} without a file and gave no reason`);
  }
  const downloads = await downloadOutputs(refs, entry.kind, policy, signal);
  if (entry.kind === "image") {
    return toImageFiles(downloads, params as ImageParams);
  }
  const files: GeneratedFile[] = [];
  for (const d of downloads) {
    files.push(await toVideoFile(d, params as VideoParams, signal, policy.vendor));
  }
  return files;
}

/** The Sorami parameters a mapping reads, as a plain record. */
export function mappingParams<K extends JobKind>(params: ParamsOf<K>): Record<string, unknown> {
  return params as unknown as Record<string, unknown>;
}

/**
 * A vendor's HTTP error status in the pipeline's terms, with its own words:
 * 429 rate limit (with its Retry-After), 408 and 5xx transient, 401/403 the
 * operator's key, 402 billing, any other refusal an invalid request.
 */
export function errorForStatus(
  vendor: { name: string; keyVariable: string },
  status: number,
  said: string,
  retryAfterMs?: number,
): ProviderError {
  if (status === 429) {
    return new ProviderError("rate_limit", `${vendor.name} is rate-limiting Sorami (HTTP 429): ${said}`, retryAfterMs);
  }
  if (status === 408 || status >= 500) {
    return new ProviderError("transient", `${vendor.name} had a temporary error (HTTP ${status}): ${said}`);
  }
  if (status === 401 || status === 403) {
    return new ProviderError(
      "invalid_request",
      `${vendor.name} refused Sorami's key (HTTP ${status}); the operator should check ${vendor.keyVariable}. ${said}`,
    );
  }
  if (status === 402) {
    return new ProviderError(
      "invalid_request",
      `${vendor.name} wants payment; the operator should check billing. ${said}`,
    );
  }
  return new ProviderError("invalid_request", `${vendor.name} refused the request (HTTP ${status}): ${said}`);
}
