// POST /api/images/generate – accept a job under the caller's job_id and queue it
import { generatorImageRequestSchema, type JobKind, KIND_INFO } from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { submitJob } from "../../domain/jobs";

export function registerGenerateRoutes(app: FastifyInstance, ctx: AppContext): void {
  const kinds: JobKind[] = ["image"];
  for (const kind of kinds) {
    app.post(`/api/${KIND_INFO[kind].plural}/generate`, async (request, reply) => {
      const input = generatorImageRequestSchema.parse(request.body);
      const { job, created } = await submitJob(ctx.db, kind, input);
      return reply.status(202).send({
        job_id: job.id,
        status: job.status,
        message: created ? "Job accepted" : "Job already accepted",
        created_at: job.createdAt.toISOString(),
      });
    });
  }
}
