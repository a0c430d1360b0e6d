import { timingSafeEqual } from "node:crypto";
import { AppError, type ErrorCode, SUBMIT_BODY_MAX_BYTES } from "@sorami/contracts";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context";
import { registerGenerateRoutes } from "./routes/generate";
import { registerHealthRoutes } from "./routes/health";
import { registerJobRoutes } from "./routes/jobs";
import { registerWebhookRoutes } from "./routes/webhooks";

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function buildServer(ctx: AppContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: SUBMIT_BODY_MAX_BYTES });

  // Every /api route is service-to-service: the web app's key is required.
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/api/")) return;
    const header = request.headers.authorization ?? "";
    const key = header.startsWith("Bearer ")
      ? header.slice(7)
      : (request.headers["x-service-key"] as string | undefined);
    if (!key || !safeEqual(key, ctx.env.serviceKey)) {
      throw new AppError("unauthorized", "A valid service key is required");
    }
  });

  // The one place errors become HTTP answers.
  app.setErrorHandler((error: FastifyError | AppError | z.ZodError, _request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send(error.toBody());
    }
    if (error instanceof z.ZodError) {
      const app = AppError.fromZod(error);
      return reply.status(app.status).send(app.toBody());
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const code =
        (error as FastifyError).code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
          ? "invalid_json"
          : (STATUS_TO_CODE[status] ?? "invalid_request");
      return reply.status(status).send({ error: { code, message: error.message } });
    }
    console.error("[generator] unhandled error:", error);
    return reply.status(500).send({ error: { code: "internal_error", message: "Internal server error" } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } }),
  );

  registerHealthRoutes(app, ctx);
  registerGenerateRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  return app;
}
