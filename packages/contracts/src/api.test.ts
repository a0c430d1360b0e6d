import { describe, expect, expectTypeOf, it } from "vitest";
import { answerFor, answerProblem, GENERATOR_API, type SuccessOf, WEB_API } from "./api";
import type { GalleryPageOf, JobStatusResponse } from "./jobs";

const status = {
  job_id: "j1",
  status: "PENDING",
  model: "local-image-v1",
  provider: "local",
  progress: 0,
  message: null,
  error: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  completed_at: null,
  queue_position: 1,
};
const answer = (status: number, body: unknown, contentType = "application/json") => ({
  status,
  contentType,
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("the API table", () => {
  it("finds the most specific route for a path: a fixed segment before a parameter", () => {
    expect(answerFor(WEB_API, "GET", "/api/images/user?limit=5")?.route).toBe("GET /api/images/user");
    expect(answerFor(WEB_API, "GET", "/api/images/abc")?.route).toBe("GET /api/images/[id]");
    expect(answerFor(WEB_API, "GET", "/api/media/images/j/image_1.png")?.route).toBe("GET /api/media/[...key]");
    expect(answerFor(GENERATOR_API, "GET", "/api/jobs/j1")?.route).toBe("GET /api/jobs/[id]");
    expect(answerFor(WEB_API, "PATCH", "/api/images/abc")).toBeNull();
  });

  it("accepts an answer that keeps its contract, and names what drifted in one that does not", () => {
    const request = { method: "GET", path: "/api/images/j1/status" };
    expect(answerProblem(WEB_API, request, answer(200, status))).toBeNull();
    expect(answerProblem(WEB_API, request, answer(200, { ...status, progress: "10" }))).toMatch(/progress/);
    expect(answerProblem(WEB_API, request, answer(200, "<html>"))).toMatch(/not JSON/);
  });

  it("checks every failure against the one error shape, and health against its own body", () => {
    const request = { method: "GET", path: "/api/images/j1/status" };
    expect(answerProblem(WEB_API, request, answer(404, { error: { code: "not_found", message: "x" } }))).toBeNull();
    expect(answerProblem(WEB_API, request, answer(404, { error: "Not found" }))).toMatch(/error/);
    expect(
      answerProblem(
        WEB_API,
        { method: "POST", path: "/api/nothing" },
        answer(404, { error: { code: "not_found", message: "x" } }),
      ),
    ).toBeNull();
    expect(
      answerProblem(WEB_API, { method: "GET", path: "/api/health" }, answer(503, { status: "degraded" })),
    ).not.toBeNull();
  });

  it("refuses a success on a route no contract covers, a body where none belongs, and takes streams and files as they are", () => {
    expect(answerProblem(WEB_API, { method: "GET", path: "/api/nothing" }, answer(200, {}))).toMatch(/no contract/);
    // A redirect has no answer of its own: Next.js's trailing-slash 308 is not a route's success.
    expect(
      answerProblem(WEB_API, { method: "GET", path: "/api/media/" }, answer(308, "/api/media", "text/plain")),
    ).toBe(null);
    expect(answerProblem(WEB_API, { method: "DELETE", path: "/api/images/j1" }, answer(204, ""))).toBeNull();
    expect(answerProblem(WEB_API, { method: "DELETE", path: "/api/images/j1" }, answer(200, {}))).toMatch(/no body/);
    expect(
      answerProblem(WEB_API, { method: "GET", path: "/api/events" }, answer(200, ": ping\n\n", "text/event-stream")),
    ).toBeNull();
  });

  it("takes /metrics as Prometheus text on both services, its refusals in the error shape", () => {
    const text = answer(200, "# HELP x y\n# TYPE x counter\nx 1\n", "text/plain; version=0.0.4; charset=utf-8");
    for (const table of [WEB_API, GENERATOR_API]) {
      expect(answerProblem(table, { method: "GET", path: "/metrics" }, text)).toBeNull();
      expect(answerProblem(table, { method: "GET", path: "/metrics" }, answer(200, {}))).toMatch(/text\/plain/);
      expect(
        answerProblem(
          table,
          { method: "GET", path: "/metrics" },
          answer(401, { error: { code: "unauthorized", message: "x" } }),
        ),
      ).toBeNull();
    }
  });

  it("types the success body of any path a caller builds", () => {
    const id: string = "j1";
    expectTypeOf<
      SuccessOf<typeof WEB_API, "GET", `/api/images/${typeof id}/status`>
    >().toEqualTypeOf<JobStatusResponse>();
    expectTypeOf<SuccessOf<typeof WEB_API, "GET", "/api/images/user?limit=5">>().toEqualTypeOf<
      GalleryPageOf<"image">
    >();
    expectTypeOf<SuccessOf<typeof WEB_API, "DELETE", `/api/videos/${typeof id}`>>().toEqualTypeOf<null>();
  });
});

describe("what the API table covers", () => {
  it("leaves pages, preflights and paths resolving outside /api to their own formats", () => {
    const html = answer(200, "<!DOCTYPE html>", "text/html");
    expect(answerProblem(WEB_API, { method: "GET", path: "/gallery/j1" }, html)).toBeNull();
    expect(
      answerProblem(WEB_API, { method: "GET", path: "/api/media/../../secrets.json" }, answer(404, "<html>")),
    ).toBeNull();
    expect(answerProblem(WEB_API, { method: "OPTIONS", path: "/api/images/generate" }, answer(204, ""))).toBeNull();
    expect(answerProblem(WEB_API, { method: "GET", path: "/api/media/" }, answer(308, "/api/media"))).toBeNull();
    // …but not an /api path with no contract.
    expect(answerProblem(WEB_API, { method: "GET", path: "/api/nothing" }, html)).toMatch(/no contract/);
  });
});
