import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { THUMBNAIL_MAX_SIDE } from "@sorami/contracts";
import { LocalStorage, readObject } from "@sorami/storage";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { makeThumbnail, storeThumbnail, thumbnailKeyFor } from "./thumbnails";

const picture = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .png()
    .toBuffer();

describe("thumbnails", () => {
  it("live beside their file, named after it", () => {
    expect(thumbnailKeyFor("images/job-1/image_1.png")).toBe("images/job-1/image_1_thumb.webp");
    expect(thumbnailKeyFor("videos/job-1/video_2.mp4")).toBe("videos/job-1/video_2_thumb.webp");
    expect(thumbnailKeyFor("images/job.v2/image_1")).toBe("images/job.v2/image_1_thumb.webp");
  });

  it("are WEBP, at most THUMBNAIL_MAX_SIDE on the longest side, in the file's aspect ratio", async () => {
    for (const [w, h, tw, th] of [
      [1024, 768, THUMBNAIL_MAX_SIDE, 288],
      [720, 1280, 216, THUMBNAIL_MAX_SIDE],
      [2048, 2048, THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE],
    ] as const) {
      const source = await picture(w, h);
      const thumb = await makeThumbnail(source);
      const meta = await sharp(thumb).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", tw, th]);
      expect(thumb.length).toBeLessThan(source.length);
    }
  });

  it("never enlarges a file already smaller than a thumbnail", async () => {
    const meta = await sharp(await makeThumbnail(await picture(256, 128))).metadata();
    expect([meta.width, meta.height]).toEqual([256, 128]);
  });

  it("keeps the file without a thumbnail when its bytes cannot be decoded", async () => {
    const storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-thumb-test-")));
    expect(await storeThumbnail(storage, "images/j/image_1.png", Buffer.from("not an image"))).toBeUndefined();
    expect(await storage.open("images/j/image_1_thumb.webp")).toBeNull();
    const key = await storeThumbnail(storage, "images/j/image_2.png", await picture(800, 600));
    expect(key).toBe("images/j/image_2_thumb.webp");
    expect((await sharp((await readObject(storage, key ?? "")) ?? Buffer.alloc(0)).metadata()).format).toBe("webp");
  });
});
