// POST /api/images/generate, POST /api/videos/generate – accept a job under the caller's job_id and queue it
import {
  generatorImageRequestSchema,
  generatorVideoRequestSchema,
  JOB_KINDS,
  KIND_INFO,
  SUBMIT_BODY_MAX_BYTES,
  VIDEO_SUBMIT_BODY_MAX_BYTES,
} from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { submitJob } from "../../domain/jobs";

/** Per kind: the request contract and the body limit (videos may carry an input image). */
const ROUTES = {
  image: { schema: generatorImageRequestSchema, bodyLimit: SUBMIT_BODY_MAX_BYTES },
  video: { schema: generatorVideoRequestSchema, bodyLimit: VIDEO_SUBMIT_BODY_MAX_BYTES },
} as const;

export function registerGenerateRoutes(app: FastifyInstance, ctx: AppContext): void {
  for (const kind of JOB_KINDS) {
    const { schema, bodyLimit } = ROUTES[kind];
    app.post(`/api/${KIND_INFO[kind].plural}/generate`, { bodyLimit }, async (request, reply) => {
      const input = schema.parse(request.body);
      const { job, created } = await submitJob(ctx.db, ctx.storage, kind, input);
      return reply.status(202).send({
        job_id: job.id,
        status: job.status,
        message: created ? "Job accepted" : "Job already accepted",
        created_at: job.createdAt.toISOString(),
      });
    });
  }
}
