// GET /metrics – Prometheus metrics of this process, for a scraper holding METRICS_TOKEN
import { AppError } from "@sorami/contracts";
import { metricsAccess, renderMetrics } from "@sorami/metrics";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";

export function registerMetricsRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Not the service key's: Prometheus holds METRICS_TOKEN, checked here (and answers 404 when it is unset).
  app.get("/metrics", { config: { public: true } }, async (request, reply) => {
    const access = metricsAccess(request.headers.authorization, ctx.env.metricsToken);
    if (access === "off") {
      // Without a token metrics are off: the route answers as if it did not exist.
      throw new AppError("not_found", `No route for GET ${request.url}`);
    }
    if (access === "unauthorized") {
      throw new AppError("unauthorized", "A valid metrics token is required");
    }
    const { contentType, body } = await renderMetrics();
    return reply.type(contentType).send(body);
  });
}
