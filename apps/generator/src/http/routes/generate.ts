// POST /api/images/generate, POST /api/videos/generate – accept a job for a catalog model under the caller's job_id and queue it
import {
  GENERATOR_REQUEST_SCHEMAS,
  generatorJobAcceptedSchema,
  JOB_KINDS,
  KIND_INFO,
  parseForModel,
  SUBMIT_BODY_MAX_BYTES,
  VIDEO_SUBMIT_BODY_MAX_BYTES,
} from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { submitJob } from "../../domain/jobs";
import { answer } from "../answer";

/** Per kind, the body limit (videos may carry an input image). */
const BODY_LIMIT = { image: SUBMIT_BODY_MAX_BYTES, video: VIDEO_SUBMIT_BODY_MAX_BYTES } as const;

export function registerGenerateRoutes(app: FastifyInstance, ctx: AppContext): void {
  for (const kind of JOB_KINDS) {
    app.post(`/api/${KIND_INFO[kind].plural}/generate`, { bodyLimit: BODY_LIMIT[kind] }, async (request, reply) => {
      // The model named (or the default), the request filled from it and checked against what it can serve.
      const { model, params } = parseForModel(ctx.models.views(), kind, GENERATOR_REQUEST_SCHEMAS[kind], request.body);
      const { job, created } = await submitJob(ctx.db, ctx.storage, kind, params, model);
      request.log.info(
        { job_id: job.id, kind, model: model.id, created },
        created ? "job accepted" : "job already accepted",
      );
      return reply.status(202).send(
        answer(generatorJobAcceptedSchema, {
          job_id: job.id,
          status: job.status,
          message: created ? "Job accepted" : "Job already accepted",
          created_at: job.createdAt.toISOString(),
        }),
      );
    });
  }
}
