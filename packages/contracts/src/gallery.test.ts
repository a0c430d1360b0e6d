import { describe, expect, it } from "vitest";
import { GALLERY_STATUS_FILTER_VALUES, galleryCursorSchema, galleryStatusFilterSchema, statusesOf } from "./gallery";
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

describe("gallery cursors", () => {
  it("refuse a time the database cannot cast (year 0000), and take any from year 0001", () => {
    const at = (iso: string) => galleryCursorSchema.safeParse([iso, "job-1"]).success;
    expect(at("0000-01-01T00:00:00.000Z")).toBe(false);
    expect(at("0000-12-31T23:59:59.999Z")).toBe(false);
    expect(at("0001-01-01T00:00:00.000Z")).toBe(true);
    expect(at("9999-12-31T23:59:59.999Z")).toBe(true);
    expect(at("+275760-09-13T00:00:00.000Z")).toBe(false);
  });
});
