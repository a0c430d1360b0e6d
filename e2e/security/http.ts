import http from "node:http";
import { signWebhook } from "@sorami/contracts/signature";

export type Reply = { status: number; text: string; json: any; headers: Headers };

/**
 * One request with exactly these headers and body, its path on the wire
 * byte for byte, through node:http: fetch adds headers of its own, refuses
 * a body on GET, and normalises `..` and percent-escapes away, which would
 * hide traversal attempts.
 */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    headers?: Record<string, string>;
    body?: string | Uint8Array;
    /** A stream that never ends (server-sent events): answer with the status and headers, then hang up. */
    headersOnly?: boolean;
  } = {},
): Promise<Reply> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answer: { status: number; chunks: Buffer[]; headers: Headers } | null = null;
    const finish = () => {
      if (!answer) {
        return;
      }
      const text = Buffer.concat(answer.chunks).toString("utf8");
      let json: any = null;
      try {
        json = JSON.parse(text);
      } catch {}
      resolve({ status: answer.status, text, json, headers: answer.headers });
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

/** An error answer in the one shape: `{ error: { code, message, field? } }`. */
export function isErrorBody(json: any): boolean {
  return (
    json !== null &&
    typeof json === "object" &&
    typeof json.error === "object" &&
    json.error !== null &&
    typeof json.error.code === "string" &&
    json.error.code.length > 0 &&
    typeof json.error.message === "string" &&
    json.error.message.length > 0 &&
    (json.error.field === undefined || typeof json.error.field === "string")
  );
}
