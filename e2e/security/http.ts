import http from "node:http";
import { errorBodySchema, GENERATOR_API, type SuccessOf, WEB_API } from "@sorami/contracts";
import { signWebhook } from "@sorami/contracts/signature";
import { type Reply as CheckedReply, reply } from "../support/client";

/** An answer to a raw request, checked against its contract like every other (its body is not typed: any route). */
export type Reply = CheckedReply<unknown>;

/**
 * One request with exactly these headers and body, its path on the wire
 * byte for byte, through node:http: fetch adds headers of its own, refuses
 * a body on GET, and normalises `..` and percent-escapes away, which would
 * hide traversal attempts.
 */
export function send<M extends string, P extends string>(
  baseUrl: string,
  method: M,
  path: P,
  options: {
    headers?: Record<string, string>;
    body?: string | Uint8Array;
    /** A stream that never ends (server-sent events): answer with the status and headers, then hang up. */
    headersOnly?: boolean;
    /** Whose contracts the answer is checked against (default: the web app's). */
    service?: "web" | "generator";
  } = {},
): Promise<CheckedReply<SuccessOf<typeof WEB_API, M, P>>> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answer: { status: number; chunks: Buffer[]; headers: Headers } | null = null;
    const finish = () => {
      if (!answer) {
        return;
      }
      const text = Buffer.concat(answer.chunks).toString("utf8");
      const table = options.service === "generator" ? GENERATOR_API : WEB_API;
      try {
        resolve(
          reply<SuccessOf<typeof WEB_API, M, P>>(
            table,
            { method, path },
            { status: answer.status, text, headers: answer.headers },
          ),
        );
      } catch (error) {
        reject(error);
      }
    };
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        // Node sends a GET's body without a length unless told: the server would read it as the next request.
        headers: {
          ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of [value ?? []].flat()) {
            headers.append(name, v);
          }
        }
        const current = { status: res.statusCode ?? 0, chunks: [] as Buffer[], headers };
        answer = current;
        if (options.headersOnly && current.status < 400) {
          finish();
          req.destroy();
          return;
        }
        res.on("data", (c: Buffer) => current.chunks.push(c));
        res.on("end", finish);
        res.on("error", finish);
      },
    );
    // A server that answers before reading a whole (refused) body may close while it is still being sent.
    req.on("error", (error) => (answer ? finish() : reject(new Error(`${method} ${path}: ${error.message}`))));
    req.end(options.body);
  });
}

/** Standard Webhooks headers for a body, signed now (or `offsetSeconds` away) with `secret`. */
export function webhookHeaders(secret: string, body: string, offsetSeconds = 0): Record<string, string> {
  const id = `msg_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const timestamp = Math.floor(Date.now() / 1000) + offsetSeconds;
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, body),
  };
}

/** Text that would only be in a response if an error leaked its stack or server paths. */
export function leaksInternals(text: string): boolean {
  return /\n\s+at\s|node_modules|\/work\/|webpack-internal|\.tsx?:\d+/.test(text);
}

/** An error answer in the one shape: `{ error: { code, message, field? } }`, with a code and a message. */
export function isErrorBody(json: unknown): boolean {
  const parsed = errorBodySchema.safeParse(json);
  return parsed.success && parsed.data.error.code.length > 0 && parsed.data.error.message.length > 0;
}
