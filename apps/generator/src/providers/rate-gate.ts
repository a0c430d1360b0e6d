import { parseRetryAfterSeconds } from "@sorami/contracts";

/**
 * A fetch for a vendor's SDK that honours the vendor's Retry-After itself.
 * The official clients retry a 429 on their own (Replicate's at once, up to
 * five times, whatever Retry-After says; fal's after its own backoff), which
 * would hammer an API that asked us to wait. After a 429 this fetch answers
 * every call with that same 429 until the wait is over, without touching the
 * network; the SDK then gives up and Sorami's own retry (withRetries, or the
 * queue for a long wait) comes back once the vendor's delay has passed.
 * One gate per client: a rate limit is per account, shared by its jobs.
 */
export type RateGate = {
  fetch: typeof fetch;
  /** Milliseconds until the vendor's Retry-After has passed (0 when not limited). */
  retryAfterMs(): number;
};

/** A 429 without Retry-After: wait this long before asking again. */
export const RATE_LIMIT_DEFAULT_WAIT_MS = 1000;

/** Retry-After in the header, or `retry_after` (seconds) in a JSON body as Replicate sends it. */
async function waitOf(response: Response): Promise<number> {
  const header = parseRetryAfterSeconds(response.headers.get("retry-after"));
  if (header !== null) {
    return Math.round(header * 1000);
  }
  try {
    const body = (await response.clone().json()) as { retry_after?: unknown };
    if (typeof body.retry_after === "number" && body.retry_after >= 0) {
      return Math.round(body.retry_after * 1000);
    }
  } catch {}
  return RATE_LIMIT_DEFAULT_WAIT_MS;
}

export function createRateGate(base: typeof fetch = globalThis.fetch, now: () => number = Date.now): RateGate {
  let until = 0;
  let last: { status: number; statusText: string; headers: [string, string][]; body: ArrayBuffer } | null = null;
  const gated = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (last && now() < until) {
      const headers = new Headers(last.headers);
      headers.set("retry-after", String(Math.ceil((until - now()) / 1000)));
      return new Response(last.body.slice(0), { status: last.status, statusText: last.statusText, headers });
    }
    const response = await base(input, init);
    if (response.status === 429) {
      until = now() + (await waitOf(response));
      last = {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers.entries()],
        body: await response.clone().arrayBuffer(),
      };
    }
    return response;
  }) as typeof fetch;
  return { fetch: gated, retryAfterMs: () => Math.max(0, until - now()) };
}
