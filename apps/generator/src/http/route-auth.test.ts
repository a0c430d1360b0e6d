import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { createStorage } from "@sorami/storage";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../env";
import { builtInFactories, createModelRegistry } from "../providers/registry";
import { buildServer, routesOf } from "./server";

/**
 * The service key is decided per route, after routing: a sweep over every
 * route the generator registers, each spelled every way a router or proxy
 * might read differently from the raw string (percent-encoded letters,
 * double encoding, mixed case, dot segments, doubled slashes, `;`
 * parameters, an absolute-form target…), sent byte for byte over a real
 * socket with no key and with wrong keys: never a 2xx, and nothing changes
 * in the database (no job created, none canceled, no delivery queued).
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let app: FastifyInstance;
let port: number;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-route-auth-"));
const SERVICE_KEY = "route-auth-test-service-key-0123456789abcdefghij";
const victimJob = randomUUID();
const deadDelivery = "msg_routeauthdead01";

beforeAll(async () => {
  t = await startTestDatabase();
  const env = loadEnv({
    DATABASE_URL: t.url,
    DATA_DIR: dataDir,
    SERVICE_KEY,
    // /metrics answers to its own token, refused here like the service key's routes without it.
    METRICS_TOKEN: "route-auth-test-metrics-token-0123456789abcdef",
    LOCAL_PROVIDER_DELAY_MS: "0",
  });
  const catalog = await env.loadCatalog();
  app = buildServer({
    env,
    db: t.db,
    pool: t.pool,
    storage: createStorage(env.storage),
    models: createModelRegistry(catalog, builtInFactories(env, catalog)),
    queueAlive: () => true,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  port = typeof address === "object" && address ? address.port : 0;
  // A victim's running job (a cancel would end it) and a dead delivery (a redeliver would queue it).
  await t.db.insert(schema.generatorJobs).values({
    id: victimJob,
    kind: "image",
    userId: "victim-user",
    status: "GENERATING",
    request: { prompt: "the victim's prompt", num_images: 1, size: "256x256" },
  });
  await t.db.insert(schema.webhookDeliveries).values({
    id: deadDelivery,
    jobId: victimJob,
    event: "completed",
    url: "http://127.0.0.1:9/api/webhooks/image-completion",
    body: "{}",
    state: "dead",
  });
});
afterAll(async () => {
  await app?.close();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Raw = { status: number; body: string };

/** One request with exactly this request target on the wire (fetch and http.request would normalise it). */
function raw(method: string, target: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`, "connection: close"];
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`${name}: ${value}`);
    }
    if (body !== undefined) {
      lines.push("content-type: application/json", `content-length: ${Buffer.byteLength(body)}`);
    }
    // Written, not ended: a half-closed socket may be dropped before the answer. The server closes (connection: close).
    socket.on("connect", () => socket.write(`${lines.join("\r\n")}\r\n\r\n${body ?? ""}`));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

const hex = (c: string) => c.charCodeAt(0).toString(16);
/** Percent-encodes the first letter of the path ("/api" → "/%61pi"), `prefix` "%25" double-encodes it. */
const encodeFirst = (p: string, prefix = "%") => p.replace(/^\/(\w)/, (_, c: string) => `/${prefix}${hex(c)}`);
const encodeAll = (p: string) => p.replace(/[a-z]/g, (c) => `%${hex(c)}`);

/** Every spelling of one path that some parser might take for it. */
function spellings(p: string): string[] {
  const [, first = "", rest = ""] = /^\/([^/]+)(.*)$/.exec(p) ?? [];
  return [
    p,
    encodeFirst(p),
    encodeAll(p),
    encodeAll(p).replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()),
    encodeFirst(p, "%25"),
    `/${first.toUpperCase()}${rest}`,
    `/${first[0]?.toUpperCase()}${first.slice(1)}${rest}`,
    `/${first}/../${first}${rest}`,
    `/./${first}${rest}`,
    `/x/../${first}${rest}`,
    `/%2e%2e/${first}${rest}`,
    `/${first}/%2e%2e/${first}${rest}`,
    `//${first}${rest}`,
    `/${first}/${rest.replace(/^\//, "/")}`,
    p.replace(/\//g, "//"),
    `${p}/`,
    `${p};x=1`,
    `/${first};x=1${rest}`,
    `${p}?x=1`,
    `${p}#frag`,
    `/${first}%2F${rest.slice(1).replace(/\//g, "%2F")}`,
    `/${first}\\${rest.slice(1)}`,
    `http://127.0.0.1:${port}${p}`,
    `http://127.0.0.1:${port}${encodeFirst(p)}`,
  ];
}

/** A concrete, harmful request per registered route: what a keyless caller would try. */
function attack(method: string, url: string): { path: string; body?: string } {
  const concrete = url.replace(":id", url.startsWith("/api/webhooks") ? deadDelivery : victimJob);
  if (method !== "POST" || !url.endsWith("/generate")) {
    return { path: concrete, body: method === "POST" ? "{}" : undefined };
  }
  const body = url.includes("videos")
    ? { job_id: randomUUID(), user_id: "victim-user", prompt: "planted", duration_seconds: 1 }
    : { job_id: randomUUID(), user_id: "victim-user", prompt: "planted", num_images: 1, size: "256x256" };
  return { path: concrete, body: JSON.stringify(body) };
}

/** What a handler would change: jobs, the victim's status, the dead delivery, queued work. */
async function effects(): Promise<string> {
  const jobs = await t.pool.query("select count(*)::int n from generator.jobs");
  const [job] = await t.db.select().from(schema.generatorJobs).where(eq(schema.generatorJobs.id, victimJob));
  const [delivery] = await t.db
    .select()
    .from(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.id, deadDelivery));
  const queued = await t.pool.query("select count(*)::int n from generator_worker.jobs");
  return JSON.stringify([jobs.rows[0].n, job?.status, delivery?.state, queued.rows[0].n]);
}

const WRONG: Record<string, string>[] = [
  {},
  { authorization: `Bearer ${"k".repeat(SERVICE_KEY.length)}` },
  { "x-service-key": SERVICE_KEY.slice(0, -1) },
  { authorization: `Basic ${Buffer.from(`x:${SERVICE_KEY}`).toString("base64")}` },
  { authorization: `bearer${SERVICE_KEY}` },
];

describe("the service key, decided per route after routing", () => {
  it("covers every registered route but /health, and the encoded spellings do reach routes", async () => {
    const routes = routesOf(app);
    expect(routes.filter((r) => r.url.startsWith("/api/")).length).toBeGreaterThan(4);
    // The sweep means something only if the router decodes: with the key, "/%61pi/…" is the job route.
    const ok = await raw("GET", encodeFirst(`/api/jobs/${victimJob}`), { authorization: `Bearer ${SERVICE_KEY}` });
    expect(ok.status, ok.body).toBe(200);
    expect((await raw("GET", "/health", {})).status).toBe(200);
  });

  it("no spelling of any route answers a caller without the key with a 2xx, or changes anything", async () => {
    const before = await effects();
    const leaks: string[] = [];
    for (const route of routesOf(app).filter((r) => r.url !== "/health")) {
      for (const method of route.method === "GET" ? ["GET", "HEAD"] : [route.method]) {
        const { path: p, body } = attack(route.method, route.url);
        for (const target of spellings(p)) {
          for (const headers of WRONG) {
            const reply = await raw(method, target, headers, body);
            // Never a 2xx; nor a 3xx that would hand the request on.
            if (reply.status < 400) {
              leaks.push(`${method} ${target} ${JSON.stringify(headers)} → ${reply.status} ${reply.body.slice(0, 80)}`);
            }
          }
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(await effects()).toBe(before);
  });

  it("an unknown route is a 404 with or without the key", async () => {
    for (const headers of [{}, { authorization: `Bearer ${SERVICE_KEY}` }] as Record<string, string>[]) {
      for (const target of ["/api/no-such-thing", "/%61pi/no-such-thing", "/nothing", "/api/jobs"]) {
        const reply = await raw("GET", target, headers);
        expect(reply.status, `${target} ${JSON.stringify(headers)}`).toBe(404);
        expect(JSON.parse(reply.body).error.code).toBe("not_found");
      }
    }
  });

  it("/health is the one route open without the key", async () => {
    const open = [];
    for (const route of routesOf(app)) {
      const reply = await raw(route.method, attack(route.method, route.url).path, {}, undefined);
      if (reply.status !== 401) {
        open.push(`${route.method} ${route.url}`);
      }
    }
    expect(open).toEqual(["GET /health"]);
  });
});
