import { describe, expect, it } from "vitest";
import { AUTH_BODY_MAX_BYTES, REFUSED_BODY_DRAIN_BYTES, SUBMIT_BODY_MAX_BYTES, WEBHOOK_BODY_MAX_BYTES } from "./limits";
import { VIDEO_SUBMIT_BODY_MAX_BYTES } from "./video";

describe("the lingering drain of a refused body", () => {
  it("reads more than any accepted body, so a body just over its limit is read whole and its refusal arrives", () => {
    for (const limit of [
      SUBMIT_BODY_MAX_BYTES,
      VIDEO_SUBMIT_BODY_MAX_BYTES,
      WEBHOOK_BODY_MAX_BYTES,
      AUTH_BODY_MAX_BYTES,
    ]) {
      expect(REFUSED_BODY_DRAIN_BYTES).toBeGreaterThan(limit + 64 * 1024);
    }
  });
});
