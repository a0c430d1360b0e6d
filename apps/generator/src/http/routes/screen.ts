// POST /api/jobs/:id/screen – score a completed job's stored images with the screening model (the web app's moderation task)
import { AppError, generatorScreenSchema, jobIdSchema } from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../context";
import { screenJob } from "../../domain/screen";
import { answer } from "../answer";

const paramsSchema = z.object({ id: jobIdSchema });

export function registerScreenRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string } }>("/api/jobs/:id/screen", async (request) => {
    const { id } = paramsSchema.parse(request.params);
    const screened = await screenJob(ctx.db, ctx.storage, id);
    if (!screened) {
      throw new AppError("not_found", "Job not found");
    }
    return answer(generatorScreenSchema, screened);
  });
}
