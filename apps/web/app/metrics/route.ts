// GET /metrics – Prometheus metrics of this web process, for a scraper holding METRICS_TOKEN
import { withErrors } from "@/server/http/handler";
import { metricsResponse } from "@/server/metrics";

export const dynamic = "force-dynamic";

export const GET = withErrors(async ({ req }) => metricsResponse(req));
