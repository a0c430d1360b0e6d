import { counter, histogram } from "./registry";

/**
 * HTTP requests of a service by route PATTERN (`/api/images/[id]/status`,
 * `/api/jobs/:id`), never the raw path: one series per route, whatever ids
 * are asked for. A request no route matched is counted as `unmatched`.
 */
export const httpRequests = counter({
  name: "sorami_http_requests_total",
  help: "HTTP requests answered, by method, route pattern and status code",
  labelNames: ["method", "route", "status"],
});

/**
 * Answer times, from the handler's start to its answer (a stream's: to its
 * headers). From 5 ms (a status read) to 10 s (a slow upload); slower is
 * counted in +Inf.
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const httpRequestDuration = histogram({
  name: "sorami_http_request_duration_seconds",
  help: "Time to answer an HTTP request, by method and route pattern",
  labelNames: ["method", "route"],
  buckets: HTTP_DURATION_BUCKETS,
});

/** Route label of a request no route matched (404s of unknown paths): one series for all of them. */
export const UNMATCHED_ROUTE = "unmatched";

export function recordHttpRequest(r: { method: string; route: string; status: number; seconds: number }): void {
  httpRequests.inc({ method: r.method, route: r.route, status: String(r.status) });
  httpRequestDuration.observe({ method: r.method, route: r.route }, r.seconds);
}
