import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  AppError,
  EMPTY_BODY_MAX_BYTES,
  type ErrorCode,
  findUnstorableText,
  REFUSED_BODY_CLOSE_AFTER_MS,
  REFUSED_BODY_DRAIN_BYTES,
  REQUEST_ID_HEADER,
  requestIdOf,
  SUBMIT_BODY_MAX_BYTES,
} from "@sorami/contracts";
import { logger } from "@sorami/log";
import { recordHttpRequest, UNMATCHED_ROUTE } from "@sorami/metrics";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import type { AppContext } from "../context";
import { registerAdminRoutes } from "./routes/admin";
import { registerGenerateRoutes } from "./routes/generate";
import { registerHealthRoutes } from "./routes/health";
import { registerJobRoutes } from "./routes/jobs";
import { registerMetricsRoutes } from "./routes/metrics";
import { registerModelRoutes } from "./routes/models";
import { registerScreenRoutes } from "./routes/screen";
import { registerWebhookRoutes } from "./routes/webhooks";

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** A lingering close for a refused body: see REFUSED_BODY_DRAIN_BYTES. */
function drainThenClose(raw: IncomingMessage): void {
  let drained = 0;
  const timer = setTimeout(() => raw.socket?.destroy(), REFUSED_BODY_CLOSE_AFTER_MS);
  timer.unref();
  raw.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_BODY_DRAIN_BYTES) {
      raw.pause();
      return;
    }
    timer.refresh(); // still sending: the close waits for a silence (or the cap)
  });
  raw.once("end", () => clearTimeout(timer));
  raw.resume();
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Answers without the service key: /health, and /metrics (which checks METRICS_TOKEN itself). Every other route requires it. */
    public?: boolean;
  }
}

/** One registered route, as the authorization and bad-input tests enumerate them. */
export type RegisteredRoute = { method: string; url: string };
const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route `buildServer` registered (HEAD twins of GET routes left out). */
export function routesOf(app: FastifyInstance): RegisteredRoute[] {
  return registered.get(app) ?? [];
}

export function buildServer(ctx: AppContext): FastifyInstance {
  // Bodies are capped before parsing (per route where one needs more), so an oversized one is never held.
  const app = Fastify({
    // The process's logger; request.log is its child carrying the request id. One line per answer (below).
    loggerInstance: logger() as FastifyBaseLogger,
    disableRequestLogging: true,
    requestIdLogLabel: "request_id",
    requestIdHeader: false,
    genReqId: (req) => requestIdOf([req.headers[REQUEST_ID_HEADER]].flat()[0]),
    bodyLimit: SUBMIT_BODY_MAX_BYTES,
    // Errors Fastify meets before routing (an undecodable URL) answer in the one error shape too.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply).status(400).send({ error: { code: "invalid_request", message: error.message } });
    },
  });
  // JSON only: Fastify would otherwise parse text/plain into a string and answer 400, not 415.
  app.removeContentTypeParser("text/plain");
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") {
        routes.push({ method, url: route.url });
      }
    }
  });

  // Every answer carries its request id, refusals included (this hook runs first).
  app.addHook("onRequest", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  // One log line and the HTTP metrics per answer, by route pattern (`/api/jobs/:id`), never the raw path.
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const ms = reply.elapsedTime;
    recordHttpRequest({ method: request.method, route, status: reply.statusCode, seconds: ms / 1000 });
    request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(ms) }, "request");
  });

  // Fastify ignores a GET's body but Node still reads it: refuse one declared, like every other oversized body.
  app.addHook("onRequest", async (request) => {
    if (
      (request.method === "GET" || request.method === "HEAD") &&
      Number(request.headers["content-length"] ?? 0) > EMPTY_BODY_MAX_BYTES
    ) {
      throw new AppError("payload_too_large", `Body is larger than ${EMPTY_BODY_MAX_BYTES} bytes`);
    }
  });

  // The service key is decided per route, after routing: every route needs it unless it was
  // registered with `config: { public: true }` (/health; /metrics has its own token). The raw URL is never consulted:
  // the router decodes `/%61pi/…` and accepts absolute-form targets (`http://host/api/…`), so a
  // check on the string would judge a different path than the one that runs. A request that
  // matched no route is a 404 with or without the key (the route list is no secret: it is public code).
  app.addHook("onRequest", async (request) => {
    if (request.is404 || request.routeOptions.config.public === true) {
      return;
    }
    const header = request.headers.authorization ?? "";
    const key = header.startsWith("Bearer ")
      ? header.slice(7)
      : (request.headers["x-service-key"] as string | undefined);
    if (!key || !safeEqual(key, ctx.env.serviceKey)) {
      throw new AppError("unauthorized", "A valid service key is required");
    }
  });

  // Text PostgreSQL cannot store (NUL, unpaired surrogates) is a 400 naming the field, never a database error.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined) {
      return;
    }
    const bad = findUnstorableText(request.body);
    if (bad) {
      throw new AppError("invalid_request", bad.path ? `${bad.path}: ${bad.reason}` : `Body ${bad.reason}`, {
        field: bad.path || undefined,
      });
    }
  });

  // The one place errors become HTTP answers.
  app.setErrorHandler((error: FastifyError | AppError | z.ZodError, request, reply) => {
    if (!request.raw.complete) {
      // Fastify asks for an immediate close on a parser error; the drain closes a little later instead.
      reply.removeHeader("connection");
      drainThenClose(request.raw);
    }
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
    request.log.error({ err: error }, "unhandled error");
    return reply.status(500).send({ error: { code: "internal_error", message: "Internal server error" } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: "not_found", message: `No route for ${request.method} ${request.url}` } }),
  );

  registerHealthRoutes(app, ctx);
  registerGenerateRoutes(app, ctx);
  registerJobRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerMetricsRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerScreenRoutes(app, ctx);
  return app;
}
