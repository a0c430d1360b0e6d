// GET /api/admin/summary, GET /api/admin/jobs/:id, GET /api/admin/deliveries, POST /api/admin/jobs/:id/redeliver
// – the generator's side of the admin console (service key)
import {
  AppError,
  generatorAdminSummarySchema,
  generatorDeliveriesQuerySchema,
  generatorDeliveryPageSchema,
  generatorJobStorySchema,
  generatorRedeliverJobSchema,
  jobIdSchema,
} from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../context";
import { adminSummary, jobStory, problemDeliveries, redeliverJob } from "../../domain/admin";
import { answer } from "../answer";

const paramsSchema = z.object({ id: jobIdSchema });

export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get("/api/admin/summary", async () =>
    answer(generatorAdminSummarySchema, await adminSummary(ctx.db, ctx.env.queueStaleAfterMs)),
  );

  app.get<{ Params: { id: string } }>("/api/admin/jobs/:id", async (request) => {
    const { id } = paramsSchema.parse(request.params);
    const story = await jobStory(ctx.db, id);
    if (!story) {
      throw new AppError("not_found", "Job not found");
    }
    return answer(generatorJobStorySchema, story);
  });

  app.get("/api/admin/deliveries", async (request) => {
    const query = generatorDeliveriesQuerySchema.parse(request.query);
    return answer(generatorDeliveryPageSchema, await problemDeliveries(ctx.db, query));
  });

  app.post<{ Params: { id: string } }>("/api/admin/jobs/:id/redeliver", async (request) => {
    const { id } = paramsSchema.parse(request.params);
    const ids = await redeliverJob(ctx.db, id);
    if (!ids) {
      throw new AppError("not_found", "Job not found");
    }
    return answer(generatorRedeliverJobSchema, { job_id: id, delivery_ids: ids });
  });
}
