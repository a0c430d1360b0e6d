// GET /health – 200 once the database and the queue answer; names the active providers; the one route open without the service key
import { describeProviders } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/health", { config: { public: true } }, async (_request, reply) => {
    let database = "ok";
    let queue = "ok";
    try {
      const { rows } = await ctx.pool.query<{ t: string | null }>("select to_regclass($1) as t", [
        `${QUEUE_SCHEMAS.generator}._private_jobs`,
      ]);
      if (!rows[0]?.t) {
        queue = "not migrated";
      }
    } catch (error) {
      database = `error: ${(error as Error).message}`;
      queue = "unknown";
    }
    if (queue === "ok" && !ctx.queueAlive()) {
      queue = "worker not running";
    }
    const ok = database === "ok" && queue === "ok";
    return reply.status(ok ? 200 : 503).send({
      status: ok ? "ok" : "degraded",
      service: "generator",
      database,
      queue,
      providers: describeProviders(ctx.env.providers.image, ctx.env.providers.video),
    });
  });
}
