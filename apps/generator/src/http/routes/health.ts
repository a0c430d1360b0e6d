// GET /health – 200 once the database and the queue answer; names the default model of each kind; the one route open without the service key
import { describeDefaults, healthSchema } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { answer } from "../answer";

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/health", { config: { public: true } }, async (_request, reply) => {
    const health = await checkHealth({
      service: "generator",
      pool: ctx.pool,
      queue: QUEUE_SCHEMAS.generator,
      workerAlive: ctx.queueAlive,
      providers: describeDefaults(ctx.models.views()) ?? undefined,
    });
    return reply.status(health.status === "ok" ? 200 : 503).send(answer(healthSchema, health));
  });
}
