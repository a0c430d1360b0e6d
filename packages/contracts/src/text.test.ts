import { describe, expect, it } from "vitest";
import { findUnstorableText, JSON_MAX_DEPTH } from "./text";

describe("findUnstorableText", () => {
  it("passes text in any script, emoji and combining marks", () => {
    expect(
      findUnstorableText({ prompt: "東京 · Москва · القاهرة · 👩‍👩‍👧 · e\u0301", list: ["a", { b: "c" }], n: 1 }),
    ).toBeNull();
  });

  it("names the field holding a NUL or an unpaired surrogate, at any depth", () => {
    expect(findUnstorableText({ prompt: "a\u0000b" })).toMatchObject({ path: "prompt" });
    expect(findUnstorableText({ data: { images: [{ description: "ok" }, { description: "\ud800" }] } })).toMatchObject({
      path: "data.images.1.description",
    });
    expect(findUnstorableText({ a: "\udfff" })).toMatchObject({ path: "a" });
    expect(findUnstorableText("\u0000")).toMatchObject({ path: "" });
  });

  it("refuses keys PostgreSQL could not store", () => {
    expect(findUnstorableText({ meta: { "k\u0000": 1 } })).toMatchObject({ path: "meta" });
  });

  it("refuses nesting deeper than JSON_MAX_DEPTH", () => {
    let deep: unknown = "x";
    for (let i = 0; i < JSON_MAX_DEPTH; i++) {
      deep = [deep];
    }
    expect(findUnstorableText(deep)).toBeNull();
    expect(findUnstorableText([deep])).toMatchObject({ reason: expect.stringContaining("nested") });
  });
});
