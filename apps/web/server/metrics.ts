import { AppError } from "@sorami/contracts";
import { metricsAccess, renderMetrics } from "@sorami/metrics";
import { env } from "../env";

/**
 * This web process's metrics in the Prometheus text format, for a scraper
 * sending `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). Without a
 * token metrics are off and the route answers 404, as if it did not exist.
 */
export async function metricsResponse(req: Request): Promise<Response> {
  const access = metricsAccess(req.headers.get("authorization"), env().metricsToken);
  if (access === "off") {
    throw new AppError("not_found", "No such endpoint");
  }
  if (access === "unauthorized") {
    throw new AppError("unauthorized", "A valid metrics token is required");
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
