/** Why a URL was not fetched. Each message is a sentence a user can read. */
export const SAFE_FETCH_ERROR_CODES = [
  "invalid_url",
  "blocked_address",
  "too_many_redirects",
  "too_large",
  "not_image",
  "http_status",
  "dns",
  "timeout",
  "network",
] as const;
export type SafeFetchErrorCode = (typeof SAFE_FETCH_ERROR_CODES)[number];

export class SafeFetchError extends Error {
  constructor(
    readonly code: SafeFetchErrorCode,
    message: string,
    /** false when trying again later may succeed (timeouts, network errors, 5xx, DNS hiccups). */
    readonly permanent = true,
  ) {
    super(message);
    this.name = "SafeFetchError";
  }
}
