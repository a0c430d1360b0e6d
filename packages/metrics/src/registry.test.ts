import { describe, expect, it } from "vitest";
import { metricsAccess } from "./auth";
import { recordHttpRequest } from "./http";
import { counter, enableMetrics, gauge, histogram, metricsEnabled, renderMetrics } from "./registry";
import { countOf, parseExposition, seriesOf, sumOf } from "./testing";

const jobs = counter({ name: "test_jobs_total", help: "jobs", labelNames: ["kind", "status"] });
const durations = histogram({
  name: "test_duration_seconds",
  help: "durations",
  labelNames: ["kind"],
  buckets: [1, 10],
});

describe("metrics", () => {
  it("are no-ops, with nothing to render, until enabled", async () => {
    expect(metricsEnabled()).toBe(false);
    jobs.inc({ kind: "image", status: "completed" });
    durations.observe({ kind: "image" }, 3);
    await expect(renderMetrics()).rejects.toThrow(/not enabled/);
  });

  it("once enabled, count into one registry in the text format, with the service label and process metrics", async () => {
    let depth = 3;
    gauge({
      name: "test_queue_jobs",
      help: "queue depth, read at scrape",
      labelNames: ["queue"],
      collect: async () => [{ labels: { queue: "q" }, value: depth }],
    });
    gauge({
      name: "test_broken",
      help: "a gauge whose source is away",
      labelNames: ["x"],
      collect: async () => {
        throw new Error("database unreachable");
      },
    });
    await enableMetrics({ service: "tester" });
    await enableMetrics({ service: "tester" });
    expect(metricsEnabled()).toBe(true);

    jobs.inc({ kind: "image", status: "completed" });
    jobs.inc({ kind: "image", status: "completed" });
    jobs.inc({ kind: "video", status: "failed" }, 3);
    durations.observe({ kind: "image" }, 0.5);
    durations.observe({ kind: "image" }, 20);
    // Another copy of a module (Next.js bundles) declaring the same metric counts into the same series.
    const copy = counter({ name: "test_jobs_total", help: "jobs", labelNames: ["kind", "status"] });
    copy.inc({ kind: "image", status: "completed" });
    recordHttpRequest({ method: "GET", route: "/api/jobs/:id", status: 200, seconds: 0.02 });
    // prom-client writes the event-loop mean as NaN until its first sample (every 20 ms), which the parser refuses.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const { contentType, body } = await renderMetrics();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const scrape = await parseExposition(body);
    expect(sumOf(scrape, "test_jobs_total", { kind: "image", status: "completed" })).toBe(3);
    expect(sumOf(scrape, "test_jobs_total", { kind: "video", status: "failed" })).toBe(3);
    expect(countOf(scrape, "test_duration_seconds", { kind: "image" })).toBe(2);
    expect(sumOf(scrape, "test_queue_jobs", { queue: "q" })).toBe(3);
    expect(seriesOf(scrape, "test_broken")).toEqual([]);
    expect(sumOf(scrape, "sorami_http_requests_total", { route: "/api/jobs/:id", status: "200" })).toBe(1);
    expect(countOf(scrape, "sorami_http_request_duration_seconds", { route: "/api/jobs/:id" })).toBe(1);
    for (const labels of seriesOf(scrape, "test_jobs_total")) {
      expect(labels.service).toBe("tester");
    }
    for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes"]) {
      expect(scrape[name], name).toBeDefined();
    }

    depth = 7;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sumOf(await parseExposition((await renderMetrics()).body), "test_queue_jobs", { queue: "q" })).toBe(7);
  });
});

describe("access to /metrics", () => {
  const token = "m".repeat(40);

  it("is off without a token, whatever is sent", () => {
    expect(metricsAccess(`Bearer ${token}`, undefined)).toBe("off");
    expect(metricsAccess(undefined, "")).toBe("off");
  });

  it("needs the exact token as a bearer", () => {
    expect(metricsAccess(`Bearer ${token}`, token)).toBe("ok");
    expect(metricsAccess(`bearer ${token}`, token)).toBe("ok");
    for (const header of [
      undefined,
      null,
      "",
      "Bearer ",
      token,
      `Basic ${token}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer ${"n".repeat(40)}`,
    ]) {
      expect(metricsAccess(header, token), String(header)).toBe("unauthorized");
    }
  });
});
