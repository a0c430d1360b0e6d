import { describe, expect, it } from "vitest";
import { detailPath, galleryPath, parseGalleryQuery } from "./gallery-query";

describe("gallery URL state", () => {
  it("writes the defaults as the bare path and everything else as query parameters", () => {
    expect(galleryPath("image")).toBe("/gallery");
    expect(galleryPath("video")).toBe("/gallery?kind=video");
    expect(galleryPath("image", "failed")).toBe("/gallery?status=failed");
    expect(galleryPath("video", "in_progress")).toBe("/gallery?kind=video&status=in_progress");
    expect(galleryPath("image", "all", "fal-ai/flux/schnell")).toBe("/gallery?model=fal-ai%2Fflux%2Fschnell");
  });

  it("reads back what it writes, and falls back to the defaults for anything unknown", () => {
    for (const kind of ["image", "video"] as const) {
      for (const status of ["all", "completed", "in_progress", "failed"] as const) {
        for (const model of [null, "replicate:black-forest-labs/flux-schnell"]) {
          const query = Object.fromEntries(new URL(galleryPath(kind, status, model), "http://x").searchParams);
          expect(parseGalleryQuery(query)).toEqual({ kind, status, model });
        }
      }
    }
    const defaults = { kind: "image", status: "all", model: null };
    expect(parseGalleryQuery({ kind: "audio", status: "COMPLETED" })).toEqual(defaults);
    expect(parseGalleryQuery({ kind: ["video", "image"], model: "a b" })).toEqual(defaults);
  });

  it("links a job's detail view by its id", () => {
    expect(detailPath("abc-123")).toBe("/gallery/abc-123");
  });
});
