import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Who may read /metrics: `off` when no METRICS_TOKEN is set (the route then
 * answers 404, as if absent), `ok` for `Authorization: Bearer <token>`,
 * `unauthorized` (401) for anything else. The comparison is over SHA-256
 * digests in constant time, so neither the token's bytes nor its length leak
 * through timing.
 */
export type MetricsAccess = "ok" | "unauthorized" | "off";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function metricsAccess(authorization: string | null | undefined, token: string | undefined): MetricsAccess {
  if (!token) {
    return "off";
  }
  const match = /^Bearer (.+)$/i.exec(authorization ?? "");
  const given = match?.[1] ?? "";
  const equal = timingSafeEqual(digest(given), digest(token));
  return equal && given.length > 0 ? "ok" : "unauthorized";
}
