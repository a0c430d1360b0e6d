import { initLogger } from "@sorami/log";
import { enableMetrics, renderMetrics } from "@sorami/metrics";
import { countOf, parseExposition, sumOf } from "@sorami/metrics/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { currentRequestId, log } from "../log";
import { json, withErrors } from "./handler";

/**
 * The one wrapper every route goes through gives each request its id, the
 * logger carrying it, one access line, and the HTTP metrics by route pattern.
 */
let logged: Record<string, unknown>[] = [];
beforeAll(async () => {
  await initLogger({ service: "web", write: (line) => logged.push(JSON.parse(line)) });
  await enableMetrics({ service: "web" });
});

const params = <P>(p: P) => ({ params: Promise.resolve(p) });

describe("every route's wrapper", () => {
  it("keeps a sane X-Request-Id, echoes it, and puts it on every line the request logs", async () => {
    logged = [];
    let seen: string | undefined;
    const route = withErrors<{ id: string }>(async ({ params }) => {
      seen = currentRequestId();
      log().info({ job_id: params.id }, "inside the handler");
      return json({ ok: true });
    });
    const res = await route(
      new Request("http://web.test/api/images/job-1/status", { headers: { "x-request-id": "from-the-proxy-42" } }),
      params({ id: "job-1" }),
    );
    expect(res.headers.get("x-request-id")).toBe("from-the-proxy-42");
    expect(seen).toBe("from-the-proxy-42");
    expect(logged).toEqual([
      expect.objectContaining({ request_id: "from-the-proxy-42", job_id: "job-1", msg: "inside the handler" }),
      expect.objectContaining({
        service: "web",
        request_id: "from-the-proxy-42",
        method: "GET",
        route: "/api/images/[id]/status",
        status: 200,
        msg: "request",
      }),
    ]);
  });

  it("makes an id when there is none or it is not a sane token, also for refusals and redirects", async () => {
    logged = [];
    const refuse = withErrors(async () => {
      throw new Error("boom: something broke");
    });
    const res = await refuse(
      new Request("http://web.test/api/health", { headers: { "x-request-id": "two words" } }),
      params({}),
    );
    expect(res.status).toBe(500);
    const id = res.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: "error",
        request_id: id,
        err: expect.objectContaining({ message: "boom: something broke" }),
      }),
    );
    // Response.redirect's headers are immutable: the id is still added.
    const redirect = withErrors<{ key: string[] }>(async () => Response.redirect("http://elsewhere.test/x", 302));
    const moved = await redirect(new Request("http://web.test/api/media/a/b.png"), params({ key: ["a", "b.png"] }));
    expect(moved.status).toBe(302);
    expect(moved.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("counts requests by route pattern and status, never by raw path", async () => {
    const route = withErrors<{ id: string }>(async () => json({}, { status: 404 }));
    for (const id of ["a1", "b2", "c3"]) {
      await route(new Request(`http://web.test/api/videos/${id}`), params({ id }));
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // see parseExposition on NaN
    const scrape = await parseExposition((await renderMetrics()).body);
    expect(sumOf(scrape, "sorami_http_requests_total", { route: "/api/videos/[id]", status: "404" })).toBe(3);
    expect(countOf(scrape, "sorami_http_request_duration_seconds", { route: "/api/videos/[id]", method: "GET" })).toBe(
      3,
    );
    expect(JSON.stringify(scrape.sorami_http_requests_total)).not.toContain("a1");
  });
});
