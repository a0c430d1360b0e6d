import {
  AppError,
  EMPTY_BODY_MAX_BYTES,
  ERROR_STATUS,
  findUnstorableText,
  REFUSED_BODY_CLOSE_AFTER_MS,
  REFUSED_BODY_DRAIN_BYTES,
} from "@sorami/contracts";
import { z } from "zod";
import { log } from "../log";
import { type Authenticated, authenticate } from "../session";
import { credentialOf } from "./credential";
import { observed } from "./observe";
import { assertSameOrigin } from "./origin";
import type { RouteParams } from "./route-pattern";

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
  if (error instanceof z.ZodError) {
    error = AppError.fromZod(error);
  }
  if (error instanceof AppError) {
    return json(error.toBody(), { status: error.status, headers: error.headers });
  }
  log().error({ err: error }, "unhandled error");
  return json(
    { error: { code: "internal_error", message: "Internal server error" } },
    { status: ERROR_STATUS.internal_error },
  );
}

type RouteContext<P> = { params: Promise<P> };

type Handler<P, C> = (ctx: C & { req: Request; params: P }) => Promise<Response>;
type RouteOptions = {
  /**
   * The largest body this endpoint reads. A body declared larger is refused
   * (413) before anything else runs; the handler's own read enforces it on
   * streamed bodies. Endpoints that read no body keep the small default.
   */
  maxBodyBytes?: number;
};

/** Reads and drops the rest of a refused body in the background (a lingering close: see REFUSED_BODY_DRAIN_BYTES). */
function drainAndDrop(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  let ended = false;
  const timer = setTimeout(() => {
    if (!ended) {
      void reader.cancel().catch(() => {});
    }
  }, REFUSED_BODY_CLOSE_AFTER_MS);
  timer.unref?.();
  void (async () => {
    let drained = 0;
    try {
      while (drained <= REFUSED_BODY_DRAIN_BYTES) {
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          clearTimeout(timer);
          return;
        }
        drained += value.byteLength;
        timer.refresh?.(); // still sending: the close waits for a silence (or the cap)
      }
      // Past the cap: read no more; the timer closes the connection.
    } catch {
      // The client went away: nothing left to drop.
    }
  })();
}

function tooLarge(maxBytes: number): AppError {
  return new AppError("payload_too_large", `Body is larger than ${maxBytes} bytes`);
}

/** 413 when the body declares more than `maxBytes`, before any of it is read. */
export function assertDeclaredSize(req: Request, maxBytes: number): void {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared <= maxBytes) {
    return;
  }
  if (req.body && !req.body.locked) {
    drainAndDrop(req.body.getReader());
  }
  throw tooLarge(maxBytes);
}

/**
 * Signed-in routes: the handler is handed the user, the session it came by,
 * and which credential carried it. The credential is decided once (`credentialOf`): a
 * cookie request that changes something is origin-checked first (403), and
 * a request with an Authorization header is authenticated by that header
 * alone (401 when it is not a live session, whatever cookie comes with it).
 */
export function withUser<P = Record<string, never>>(handler: Handler<P, Authenticated>, options: RouteOptions = {}) {
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    const params = await route.params;
    return observed(req, params as RouteParams, async () => {
      try {
        assertDeclaredSize(req, options.maxBodyBytes ?? EMPTY_BODY_MAX_BYTES);
        assertSameOrigin(req);
        const found = await authenticate(req.headers);
        if (!found) {
          throw new AppError("unauthorized", "Sign in to use this endpoint");
        }
        return await handler({ req, ...found, params });
      } catch (error) {
        return errorResponse(error);
      }
    });
  };
}

/** Admin routes: a signed-in user without the admin role gets 403. */
export function withAdmin<P = Record<string, never>>(handler: Handler<P, Authenticated>, options: RouteOptions = {}) {
  return withUser<P>(async (ctx) => {
    if (ctx.user.role !== "admin") {
      throw new AppError("forbidden", "This endpoint is for administrators");
    }
    return handler(ctx);
  }, options);
}

/** Routes that authenticate otherwise (signed webhooks) or not at all. */
export function withErrors<P = Record<string, never>>(handler: Handler<P, object>, options: RouteOptions = {}) {
  return async (req: Request, route: RouteContext<P>): Promise<Response> => {
    const params = await route.params;
    return observed(req, params as RouteParams, async () => {
      try {
        assertDeclaredSize(req, options.maxBodyBytes ?? EMPTY_BODY_MAX_BYTES);
        return await handler({ req, params });
      } catch (error) {
        return errorResponse(error);
      }
    });
  };
}

/**
 * Reads a request body, refusing it before reading when it declares more
 * than `maxBytes`, and as soon as it streams past that: an oversized body is
 * never held in memory, and never read far past its limit.
 */
export async function readBodyBytes(req: Request, maxBytes: number): Promise<Buffer> {
  assertDeclaredSize(req, maxBytes);
  if (!req.body) {
    return Buffer.alloc(0);
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    total += value.byteLength;
    if (total > maxBytes) {
      drainAndDrop(reader);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** `application/json`, with parameters (charset) or not; not `application/json-patch+json` and the like. */
export function isJsonContentType(type: string | null): boolean {
  return /^application\/json\s*(;|$)/i.test(type ?? "");
}

/**
 * Parses JSON text, refusing what PostgreSQL could not store (NUL, unpaired
 * surrogates) or what nests absurdly deep, naming the field.
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Body is not valid JSON");
  }
  const bad = findUnstorableText(value);
  if (bad) {
    throw new AppError("invalid_request", bad.path ? `${bad.path}: ${bad.reason}` : `Body ${bad.reason}`, {
      field: bad.path || undefined,
    });
  }
  return value;
}

/** JSON text must be UTF-8 (RFC 8259); bytes that are not are refused, not replaced. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_json", "Body is not valid UTF-8");
  }
}

/**
 * A JSON body: size capped, syntax errors reported as such, and its content
 * type checked unless the request is authenticated by an Authorization
 * header. For a cookie request `application/json` is part of the CSRF
 * defence (a page on another site can send a form or text/plain without a
 * preflight, never application/json); a bearer request cannot come from a
 * browser on someone's behalf, and the documents' own curl examples
 * (`curl -d '{…}'`) declare form encoding, so its body is read as JSON
 * whatever it declares.
 */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  if (credentialOf(req.headers) !== "bearer" && !isJsonContentType(req.headers.get("content-type"))) {
    throw new AppError("unsupported_media_type", "Content-Type must be application/json");
  }
  return parseJsonText(decodeUtf8(await readBodyBytes(req, maxBytes)));
}

/** Parses with a schema, turning the first problem into an AppError naming the field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw AppError.fromZod(parsed.error);
  }
  return parsed.data;
}
