import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request a fake received, for tests to assert what the real SDK sent (its body parsed as JSON, if it was). */
export type Recorded<B = unknown> = { method: string; path: string; headers: http.IncomingHttpHeaders; body: B };

/**
 * A request's JSON body read as a vendor's documented fields, every one
 * optional: each stand-in checks what its vendor checks and answers as the
 * vendor would. Anything but an object reads as no fields.
 */
export function bodyAs<T extends object>(body: unknown): Partial<T> {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Partial<T>) : {};
}

/** A recorded request with its body read as bodyAs reads it. */
export const withBody = <T extends object>(r: Recorded): Recorded<Partial<T>> => ({ ...r, body: bodyAs<T>(r.body) });

export type Reply = { status: number; json?: unknown; body?: Buffer; headers?: Record<string, string> };

export type FakeServer = { url: string; requests: Recorded[]; close(): Promise<void> };

/**
 * A local HTTP server for a third-party API we cannot reach from here. It
 * records every request and answers through `handle`, which speaks that
 * API's documented wire format.
 */
export async function startFakeServer(
  handle: (req: Recorded, url: URL) => Promise<Reply> | Reply,
): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {}
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded: Recorded = { method: req.method ?? "GET", path: url.pathname, headers: req.headers, body };
    requests.push(recorded);
    let reply: Reply;
    try {
      reply = await handle(recorded, url);
    } catch (error) {
      reply = { status: 500, json: { error: { message: `fake server error: ${(error as Error).message}` } } };
    }
    const payload = reply.body ?? Buffer.from(JSON.stringify(reply.json ?? {}));
    res.writeHead(reply.status, {
      "content-type": reply.body ? "application/octet-stream" : "application/json; charset=UTF-8",
      "content-length": String(payload.length),
      ...reply.headers,
    });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
