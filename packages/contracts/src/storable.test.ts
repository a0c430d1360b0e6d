import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lastEventIdSchema } from "./events";
import { utf8Length } from "./storable";

describe("utf8Length", () => {
  it("counts what Buffer counts, for any text (lone surrogates as the replacement character)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => utf8Length(s) === Buffer.byteLength(s)),
      { numRuns: 1000 },
    );
    expect(utf8Length("a\ud800")).toBe(4);
    expect(utf8Length("😀")).toBe(4);
  });
});

describe("Last-Event-ID", () => {
  it("is a JavaScript-safe integer, so the id compared is the id sent", () => {
    expect(lastEventIdSchema.parse("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(lastEventIdSchema.safeParse("9007199254740992").success).toBe(false);
    expect(lastEventIdSchema.safeParse("99999999999999999").success).toBe(false);
    expect(lastEventIdSchema.safeParse("-1").success).toBe(false);
  });
});
