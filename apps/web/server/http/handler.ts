import { AppError, ERROR_STATUS } from "@sorami/contracts";
import { z } from "zod";
import { getSessionUser, type SessionUser } from "../session";

/** Below this size gzip saves nothing worth its CPU (the `compression` middleware's own default threshold). */
const COMPRESS_MIN_BYTES = 1024;

/**
 * A JSON answer. Next.js gzips every route answer for a client that accepts
 * it, whatever its size (it drops Content-Length, so the compressor's 1 KB
 * threshold never applies). A small body is marked `no-transform`, which the
 * compressor honours: for a status or a webhook acknowledgement gzip only
 * cost CPU at both ends (measured: ~4 % of the web process and ~2 % of the
 * generator in the pipeline bench). Gallery pages still go out compressed.
 */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (Buffer.byteLength(text) < COMPRESS_MIN_BYTES) {
    const cacheControl = headers.get("cache-control");
    headers.set("cache-control", cacheControl ? `${cacheControl}, no-transform` : "no-transform");
  }
  return new Response(text, { ...init, headers });
}

/**
 * The one place errors become HTTP answers, and the one wrapper every route
 * goes through: it resolves the user (401 without one), hands the handler a
 * typed context, and maps whatever it throws.
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof z.ZodError) error = AppError.fromZod(error);
  if (error instanceof AppError) {
    return json(error.toBody(), { status: error.status, headers: error.headers });
  }
  console.error("[web] unhandled error:", error);
  return json(
    { error: { code: "internal_error", message: "Internal server error" } },
    { status: ERROR_STATUS.internal_error },
  );
}

type RouteContext<P> = { params: Promise<P> };
type Handler<P, C> = (ctx: C & { req: Request; params: P }) => Promise<Response>;

export function withUser<P = Record<string, never>>(handler: Handler<P, { user: SessionUser }>) {
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    try {
      const user = await getSessionUser(req.headers);
      if (!user) throw new AppError("unauthorized", "Sign in to use this endpoint");
      return await handler({ req, user, params: await route.params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Admin routes: a signed-in user without the admin role gets 403. */
export function withAdmin<P = Record<string, never>>(handler: Handler<P, { user: SessionUser }>) {
  return withUser<P>(async (ctx) => {
    if (ctx.user.role !== "admin") throw new AppError("forbidden", "This endpoint is for administrators");
    return handler(ctx);
  });
}

export function withErrors<P = Record<string, never>>(handler: Handler<P, object>) {
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    try {
      return await handler({ req, params: await route.params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * Reads a request body as text, refusing it before reading when it declares
 * more than `maxBytes`, and stopping as soon as it streams past that.
 */
export async function readBody(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", `Body is larger than ${maxBytes} bytes`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new AppError("payload_too_large", `Body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON body: content type checked, size capped, syntax errors reported as such. */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Content-Type must be application/json");
  }
  const text = await readBody(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Body is not valid JSON");
  }
}

/** Parses with a schema, turning the first problem into an AppError naming the field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw AppError.fromZod(parsed.error);
  return parsed.data;
}
