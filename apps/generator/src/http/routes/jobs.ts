// GET /api/jobs/:id – the generator's view of a job (reconciliation; the operator: model, provider request id and status); POST /api/jobs/:id/cancel
import { AppError, generatorCancelSchema, generatorJobViewSchema, jobIdSchema } from "@sorami/contracts";
import { getGeneratorJob } from "@sorami/db/queries/generator-jobs";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../../context";
import { cancelJob, jobView } from "../../domain/jobs";
import { answer } from "../answer";

/** The path's job id, checked so a malformed one is a 400 naming `id`. */
const paramsSchema = z.object({ id: jobIdSchema });

export function registerJobRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { id: string } }>("/api/jobs/:id", async (request) => {
    const { id } = paramsSchema.parse(request.params);
    const job = await getGeneratorJob(ctx.db, id);
    if (!job) {
      throw new AppError("not_found", "Job not found");
    }
    return answer(generatorJobViewSchema, jobView(job));
  });

  app.post<{ Params: { id: string } }>("/api/jobs/:id/cancel", async (request) => {
    const { id } = paramsSchema.parse(request.params);
    const outcome = await cancelJob(ctx.db, ctx.models, id, (error) =>
      console.warn(JSON.stringify({ event: "remote_cancel_failed", jobId: id, error: String(error) })),
    );
    if (outcome === "missing") {
      throw new AppError("not_found", "Job not found");
    }
    return answer(generatorCancelSchema, { job_id: id, outcome });
  });
}
