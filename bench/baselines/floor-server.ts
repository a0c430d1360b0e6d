/**
 * The ceilings the web app is measured against, in one bare `node:http`
 * process (no framework):
 *   GET  /noop     → 200 JSON, nothing else (Node's own floor)
 *   POST /webhook  → the same HMAC check as the web app (Standard Webhooks,
 *                    same code), then one INSERT on the same database → 200
 * Run as its own process, like the web app, so the load generator does not
 * share its event loop. Prints `listening <port>` when ready.
 */
import http from "node:http";
import { WEBHOOK_BODY_MAX_BYTES } from "@sorami/contracts";
import { verifyWebhook } from "@sorami/contracts/signature";
import pg from "pg";

const databaseUrl = process.env.BENCH_DATABASE_URL ?? "";
const secrets = (process.env.BENCH_WEBHOOK_SECRETS ?? "").split(",").filter(Boolean);
// Same pool size as the web app's (apps/web/server/db.ts).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 12, application_name: "sorami-bench-floor" });

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/noop") {
    return send(res, 200, { status: "ok" });
  }
  if (req.method !== "POST" || req.url !== "/webhook") {
    return send(res, 404, { error: "not found" });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= WEBHOOK_BODY_MAX_BYTES) {
      chunks.push(chunk);
    }
  });
  req.on("end", async () => {
    if (size > WEBHOOK_BODY_MAX_BYTES) {
      return send(res, 413, { error: "too large" });
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = { get: (name: string) => (req.headers[name] as string | undefined) ?? null };
    const verified = verifyWebhook(secrets, headers, body);
    if (!verified.ok) {
      return send(res, 401, { error: "unauthorized" });
    }
    try {
      const payload = JSON.parse(body) as { job_id: string };
      await pool.query("insert into bench.floor_events (id, job_id, body) values ($1, $2, $3) on conflict do nothing", [
        verified.id,
        payload.job_id,
        body,
      ]);
      send(res, 200, { success: true, job_id: payload.job_id });
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
