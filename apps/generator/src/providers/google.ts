import { ApiError, GoogleGenAI } from "@google/genai";
import { excerpt } from "./retry";
import { ProviderError } from "./types";

/** One Gemini API call may take this long before it is abandoned (an image takes ~10-30 s). */
export const GOOGLE_REQUEST_TIMEOUT_MS = 120_000;

/**
 * A Gemini API client (API key, not Vertex). The base URL defaults to
 * Google's; GOOGLE_GEMINI_BASE_URL points it elsewhere (a proxy, or the
 * test server that speaks the same REST format).
 */
export function createGoogleClient(options: { apiKey: string; baseUrl?: string }): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      timeout: GOOGLE_REQUEST_TIMEOUT_MS,
    },
  });
}

type GoogleErrorBody = {
  code?: number;
  message?: string;
  status?: string;
  details?: { "@type"?: string; retryDelay?: string }[];
};

/** google.rpc.RetryInfo's retryDelay ("37s", "1.5s") in milliseconds. */
function retryDelayMs(details: GoogleErrorBody["details"]): number | undefined {
  const info = details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"));
  const m = /^(\d+(?:\.\d+)?)s$/.exec(info?.retryDelay ?? "");
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** google.rpc.Code values of a failed long-running operation that are worth another run. */
const RETRYABLE_RPC_CODES = new Set([
  4 /* DEADLINE_EXCEEDED */, 10 /* ABORTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */,
]);
const RESOURCE_EXHAUSTED = 8;

/** Classifies a failed long-running operation's `error` (google.rpc.Status). */
export function operationError(status: { code?: number; message?: string }): ProviderError {
  const said = excerpt(status.message ?? "no reason given");
  if (status.code === RESOURCE_EXHAUSTED) {
    return new ProviderError("rate_limit", `The video model is over quota: ${said}`);
  }
  if (status.code !== undefined && RETRYABLE_RPC_CODES.has(status.code)) {
    return new ProviderError("transient", `The video model failed temporarily: ${said}`);
  }
  return new ProviderError("invalid_request", `The video model refused the request: ${said}`);
}

/**
 * Turns what @google/genai throws into the pipeline's terms. The SDK's
 * ApiError carries the HTTP status and the JSON error body as its message;
 * a 429's RetryInfo becomes the Retry-After.
 */
export function googleError(error: unknown): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof ApiError) {
    let body: GoogleErrorBody = {};
    try {
      body = (JSON.parse(error.message) as { error?: GoogleErrorBody }).error ?? {};
    } catch {}
    const said = excerpt(body.message ?? error.message);
    const status = error.status;
    if (status === 429) {
      return new ProviderError(
        "rate_limit",
        `The Gemini API is rate-limiting Sorami (HTTP 429): ${said}`,
        retryDelayMs(body.details),
      );
    }
    if (status === 408 || status >= 500) {
      return new ProviderError("transient", `The Gemini API had a temporary error (HTTP ${status}): ${said}`);
    }
    if (status === 401 || status === 403) {
      return new ProviderError(
        "invalid_request",
        `The Gemini API refused Sorami's API key (HTTP ${status}); the operator should check GEMINI_API_KEY. ${said}`,
      );
    }
    return new ProviderError("invalid_request", `The Gemini API refused the request (HTTP ${status}): ${said}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    // The SDK's own per-request timeout (a canceled job never gets here: withRetries rethrows it first).
    return new ProviderError("timeout", "The Gemini API did not answer in time");
  }
  return new ProviderError("transient", `The Gemini API could not be reached: ${excerpt(message)}`);
}
