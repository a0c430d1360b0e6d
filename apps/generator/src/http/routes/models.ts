// GET /api/models – the active catalog (every model whose provider is configured), for the web app
import { modelListSchema } from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { answer } from "../answer";

export function registerModelRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/api/models", async () => answer(modelListSchema, { models: ctx.models.views() }));
}
