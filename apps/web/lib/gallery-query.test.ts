import { describe, expect, it } from "vitest";
import { dayRange, detailPath, galleryPath, parseGalleryQuery } from "./gallery-query";

describe("gallery URL state", () => {
  it("writes the defaults as the bare path and everything else as query parameters", () => {
    expect(galleryPath("image")).toBe("/gallery");
    expect(galleryPath("video")).toBe("/gallery?kind=video");
    expect(galleryPath("image", "failed")).toBe("/gallery?status=failed");
    expect(galleryPath("video", "in_progress")).toBe("/gallery?kind=video&status=in_progress");
    expect(galleryPath("image", "all", { model: "fal-ai/flux/schnell" })).toBe(
      "/gallery?model=fal-ai%2Fflux%2Fschnell",
    );
  });

  it("reads back what it writes, and falls back to the defaults for anything unknown", () => {
    for (const kind of ["image", "video"] as const) {
      for (const status of ["all", "completed", "in_progress", "failed"] as const) {
        for (const model of [undefined, "replicate:black-forest-labs/flux-schnell"]) {
          const query = Object.fromEntries(new URL(galleryPath(kind, status, { model }), "http://x").searchParams);
          expect(parseGalleryQuery(query)).toEqual({ kind, status, ...(model ? { model } : {}) });
        }
      }
    }
    const defaults = { kind: "image", status: "all" };
    expect(parseGalleryQuery({ kind: "audio", status: "COMPLETED" })).toEqual(defaults);
    expect(parseGalleryQuery({ kind: ["video", "image"], model: "a b" })).toEqual(defaults);
  });

  it("links a job's detail view by its id", () => {
    expect(detailPath("abc-123")).toBe("/gallery/abc-123");
  });
});

describe("gallery search in the URL", () => {
  it("writes and reads back the search, favourites and day range", () => {
    const search = { q: "黒い猫 sofa", model: "local-image-v1", favorite: true, from: "2026-01-02", to: "2026-01-31" };
    const path = galleryPath("video", "completed", search);
    expect(path).toBe(
      "/gallery?kind=video&status=completed&q=%E9%BB%92%E3%81%84%E7%8C%AB+sofa&model=local-image-v1&from=2026-01-02&to=2026-01-31&favorite=true",
    );
    const query = Object.fromEntries(new URL(path, "http://x").searchParams);
    expect(parseGalleryQuery(query)).toEqual({ kind: "video", status: "completed", ...search });
    expect(parseGalleryQuery({ from: "yesterday", favorite: "yes", q: "  " })).toEqual({
      kind: "image",
      status: "all",
    });
  });

  it("turns days into the API's instants, the last day included", () => {
    const { from, to } = dayRange({ from: "2026-01-02", to: "2026-01-02" });
    expect(Date.parse(to ?? "") - Date.parse(from ?? "")).toBe(24 * 3600_000);
    expect(dayRange({})).toEqual({});
  });
});
