import { initLogger } from "@sorami/log";
import { enableMetrics } from "@sorami/metrics";
import { countOf, parseExposition, seriesOf, sumOf } from "@sorami/metrics/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../context";
import { buildServer } from "./server";

/**
 * The generator's HTTP side of logs and metrics, over real HTTP: request ids
 * (kept when sane, made otherwise, echoed, on every log line of the request),
 * one access line per answer, and /metrics behind METRICS_TOKEN.
 */
const TOKEN = "metrics-token-for-the-generator-test-0123456789";
const SERVICE_KEY = "service-key-for-the-generator-test-0123456789";
let logged: Record<string, unknown>[] = [];

async function serve(metricsToken: string | undefined): Promise<{ app: FastifyInstance; url: string }> {
  const ctx = { env: { metricsToken, serviceKey: SERVICE_KEY } } as unknown as AppContext;
  const app = buildServer(ctx);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url };
}

let on: { app: FastifyInstance; url: string };
let off: { app: FastifyInstance; url: string };
beforeAll(async () => {
  await initLogger({ service: "generator", write: (line) => logged.push(JSON.parse(line)), secrets: [SERVICE_KEY] });
  await enableMetrics({ service: "generator" });
  on = await serve(TOKEN);
  off = await serve(undefined);
});
afterAll(async () => {
  await on?.app.close();
  await off?.app.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("request ids", () => {
  it("keep a sane X-Request-Id, echo it, and put it on the request's log lines", async () => {
    logged = [];
    const res = await fetch(`${on.url}/api/jobs/some-job`, { headers: { "x-request-id": "req-0123.abc" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBe("req-0123.abc");
    expect(logged).toContainEqual(
      expect.objectContaining({
        service: "generator",
        request_id: "req-0123.abc",
        method: "GET",
        route: "/api/jobs/:id",
        status: 401,
        msg: "request",
      }),
    );
  });

  it("replace an absent or unsafe one with a fresh id", async () => {
    for (const header of [undefined, "bad id with spaces", "x".repeat(500), "a\u00e9b"]) {
      logged = [];
      const res = await fetch(`${on.url}/nowhere`, { headers: header ? { "x-request-id": header } : {} });
      expect(res.status).toBe(404);
      const id = res.headers.get("x-request-id") ?? "";
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(logged).toContainEqual(expect.objectContaining({ request_id: id, route: "unmatched", status: 404 }));
    }
  });

  it("never write the service key a caller sent", async () => {
    logged = [];
    await fetch(`${on.url}/api/jobs/j`, { headers: bearer(SERVICE_KEY) });
    expect(JSON.stringify(logged)).not.toContain(SERVICE_KEY);
  });
});

describe("GET /metrics", () => {
  it("is absent (404, like any unknown path) without METRICS_TOKEN", async () => {
    const res = await fetch(`${off.url}/metrics`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("not_found");
  });

  it("refuses a missing or wrong token with 401 in the error shape", async () => {
    for (const headers of [
      {},
      bearer(`${TOKEN}x`),
      bearer(TOKEN.slice(1)),
      bearer(SERVICE_KEY),
      { authorization: TOKEN },
    ]) {
      const res = await fetch(`${on.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
  });

  it("answers the token with the text format, HTTP requests counted by route pattern", async () => {
    await fetch(`${on.url}/api/jobs/first`);
    await fetch(`${on.url}/api/jobs/second`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // see parseExposition on NaN
    const res = await fetch(`${on.url}/metrics`, { headers: bearer(TOKEN) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrape = await parseExposition(await res.text());
    expect(
      sumOf(scrape, "sorami_http_requests_total", { route: "/api/jobs/:id", status: "401" }),
    ).toBeGreaterThanOrEqual(2);
    expect(countOf(scrape, "sorami_http_request_duration_seconds", { route: "/api/jobs/:id" })).toBeGreaterThanOrEqual(
      2,
    );
    // Ids never become label values: one series per route.
    const routes = seriesOf(scrape, "sorami_http_requests_total").map((l) => l.route);
    expect(routes.some((r) => r?.includes("first") || r?.includes("second"))).toBe(false);
    expect(scrape.process_resident_memory_bytes).toBeDefined();
  });
});
