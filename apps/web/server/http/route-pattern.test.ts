import { describe, expect, it } from "vitest";
import { routePattern } from "./route-pattern";

describe("routePattern", () => {
  it("names the route, not the ids, for every kind of route", () => {
    expect(routePattern("/api/images/generate", {})).toBe("/api/images/generate");
    expect(routePattern("/api/images/0b7c3a52-4f0e/status", { id: "0b7c3a52-4f0e" })).toBe("/api/images/[id]/status");
    expect(routePattern("/api/videos/abc", { id: "abc" })).toBe("/api/videos/[id]");
    expect(routePattern("/api/admin/webhooks/msg_1/redeliver", { delivery: "msg_1" })).toBe(
      "/api/admin/webhooks/[delivery]/redeliver",
    );
    expect(routePattern("/api/media/images/j1/image_1.png", { key: ["images", "j1", "image_1.png"] })).toBe(
      "/api/media/[...key]",
    );
    expect(routePattern("/api/auth/sign-in/email", { all: ["sign-in", "email"] })).toBe("/api/auth/[...all]");
    expect(routePattern("/api/no/such/thing", { path: ["no", "such", "thing"] })).toBe("/api/[...path]");
  });

  it("compares decoded segments, as Next.js decodes params", () => {
    expect(routePattern("/api/images/a%20b/status", { id: "a b" })).toBe("/api/images/[id]/status");
  });

  it("never returns a raw id: a param it cannot place makes the route unmatched", () => {
    expect(routePattern("/api/images/xyz/status", { id: "other" })).toBe("unmatched");
    expect(routePattern("/api/media/a/b", { key: ["z", "b"] })).toBe("unmatched");
  });

  it("keeps a crafted id equal to a fixed segment within fixed words", () => {
    const label = routePattern("/api/images/status/status", { id: "status" });
    expect(label.split("/").every((s) => ["", "api", "images", "status", "[id]"].includes(s))).toBe(true);
  });
});
