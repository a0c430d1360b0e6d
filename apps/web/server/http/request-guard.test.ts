import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installRequestGuard, isDecodablePath } from "./request-guard";

describe("isDecodablePath", () => {
  it("accepts plain and well-escaped paths, refuses escapes that do not decode to UTF-8", () => {
    for (const ok of ["/", "/api/images/abc/status", "/api/media/a%20b", "/x%25y", "/%E6%97%A5?q=%zz"]) {
      expect(isDecodablePath(ok), ok).toBe(true);
    }
    for (const bad of ["/api/%", "/api/%zz", "/api/%c0%ae", "/api/%E6%97", "/a/%FF%FE/b"]) {
      expect(isDecodablePath(bad), bad).toBe(false);
    }
  });
});

describe("the request guard on a real HTTP server", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    installRequestGuard({ trustProxy: false });
    server = http.createServer((req, res) => res.end(JSON.stringify({ xff: req.headers["x-forwarded-for"] })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers an undecodable path with a JSON 400 before the application sees it", async () => {
    const res = await fetch(`${base}/api/images/%c0%ae/status`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "invalid_request", message: "The URL path is not valid percent-encoded UTF-8" },
    });
  });

  it("replaces a client's X-Forwarded-For with the connection's address", async () => {
    const res = await fetch(`${base}/`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect((await res.json()).xff).toMatch(/127\.0\.0\.1$/);
  });
});
