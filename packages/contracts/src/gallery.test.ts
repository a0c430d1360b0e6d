import { describe, expect, it } from "vitest";
import { GALLERY_STATUS_FILTER_VALUES, galleryStatusFilterSchema, statusesOf } from "./gallery";
import { JOB_STATUSES } from "./status";

describe("gallery status filters", () => {
  it("put every job status in exactly one group, and `all` keeps every status", () => {
    const grouped = GALLERY_STATUS_FILTER_VALUES.flatMap((f) => statusesOf(f) ?? []);
    expect([...grouped].sort()).toEqual([...JOB_STATUSES].sort());
    expect(statusesOf("all")).toBeNull();
    expect(statusesOf("failed")).toEqual(["FAILED", "CANCELED"]);
  });

  it("refuse an unknown value, naming the allowed ones", () => {
    expect(galleryStatusFilterSchema.parse("in_progress")).toBe("in_progress");
    const bad = galleryStatusFilterSchema.safeParse("COMPLETED");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe("must be one of all, completed, in_progress, failed");
  });
});
