import { describe, expect, it } from "vitest";
import { json } from "./handler";

describe("json", () => {
  it("marks a small body no-transform (Next.js would gzip it), keeping the caller's cache directives", async () => {
    const res = json({ ok: true }, { status: 202, headers: { "Cache-Control": "no-store", "X-Other": "1" } });
    expect(res.status).toBe(202);
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-other")).toBe("1");
    expect(await res.json()).toEqual({ ok: true });
  });

  it("leaves a body of 1 KB or more free to be compressed", () => {
    const res = json({ items: "x".repeat(2000) }, { headers: { "Cache-Control": "no-store" } });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(json({ items: "x".repeat(2000) }).headers.get("cache-control")).toBeNull();
  });
});
