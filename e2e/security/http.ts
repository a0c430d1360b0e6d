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
  options: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Reply> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
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
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: any = null;
          try {
            json = JSON.parse(text);
          } catch {}
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of [value ?? []].flat()) headers.append(name, v);
          }
          resolve({ status: res.statusCode ?? 0, text, json, headers });
        });
      },
    );
    req.on("error", reject);
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
