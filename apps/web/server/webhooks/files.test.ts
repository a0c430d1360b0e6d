import { AppError } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import { extensionOf, placeReportedFiles } from "./files";

const JOB = "0b6a3f8e-5f1c-4f0e-9a57-3c1d2e4f5a6b";
const file = (extra: { file_path?: string; url?: string; thumbnail_path?: string; format?: string }) => ({
  format: "PNG",
  size_bytes: 10,
  dimensions: "8x8",
  ...extra,
});
const place = (...items: ReturnType<typeof file>[]) => placeReportedFiles("image", JOB, items);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).field;
  }
  throw new Error("accepted");
};

describe("where a reported file is", () => {
  it("in Sorami's storage: the job's own key, with no url or Sorami's own media route for it (any host, any prefix)", () => {
    const key = `images/${JOB}/image_1.png`;
    for (const url of [
      undefined,
      `http://localhost:3000/api/media/${key}`,
      `https://sorami.example/app/api/media/${key}`,
    ]) {
      const [placed] = place(file({ file_path: key, url, thumbnail_path: `images/${JOB}/image_1_thumb.webp` }));
      expect(placed).toMatchObject({
        storageKey: key,
        state: "stored",
        thumbnailKey: `images/${JOB}/image_1_thumb.webp`,
      });
      expect(placed?.sourceUrl).toBeUndefined();
    }
  });

  it("elsewhere: fetched from its url, under the job's own key if it is one, else one Sorami makes; no thumbnail", () => {
    const s3 = "https://bucket.s3.amazonaws.com/images/x/image_1.png?X-Amz-Signature=abc";
    const [own, foreign, none] = place(
      file({ file_path: `images/${JOB}/image_1.png`, url: s3, thumbnail_path: `images/${JOB}/image_1_thumb.webp` }),
      file({ file_path: "./generated_images/e0145eaa/image_1.png", url: s3, format: "jpg" }),
      file({ url: s3, format: "WEBP" }),
    );
    expect(own).toMatchObject({
      storageKey: `images/${JOB}/image_1.png`,
      state: "pending",
      sourceUrl: s3,
      thumbnailKey: null,
    });
    expect(foreign).toMatchObject({ storageKey: `images/${JOB}/remote_2.jpg`, state: "pending", sourceUrl: s3 });
    expect(none).toMatchObject({ storageKey: `images/${JOB}/remote_3.webp`, state: "pending" });
    expect(new Set([own?.id, foreign?.id, none?.id]).size).toBe(3);
  });

  it("refuses a file it cannot place, naming the field", () => {
    expect(refusal(() => place(file({ file_path: "../../etc/passwd" })))).toBe("data.images.0.file_path");
    expect(refusal(() => place(file({ url: "ftp://backend/x.png" })))).toBe("data.images.0.url");
    expect(refusal(() => place(file({ url: "not a url" })))).toBe("data.images.0.url");
  });

  it("keeps every key a file may end up under free: a fetched file takes the extension its bytes say", () => {
    const stored = file({ file_path: `images/${JOB}/image_1.png` });
    const remote = file({ file_path: `images/${JOB}/image_1.jpg`, url: "https://b.example/x.jpg" });
    expect(refusal(() => place(stored, remote))).toBe("data.images.1.file_path");
  });

  it("starts a remote file's key with the extension its reported format names, the kind's own otherwise", () => {
    expect([extensionOf("image", "JPEG"), extensionOf("image", "jpg"), extensionOf("image", "TIFF")]).toEqual([
      "jpg",
      "jpg",
      "png",
    ]);
    expect([extensionOf("video", "WEBM"), extensionOf("video", "PNG")]).toEqual(["webm", "mp4"]);
  });
});
