import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompletedData } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { defaultMlEngine } from "@sorami/ml/engine";
import { LocalStorage, type Storage } from "@sorami/storage";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenJob } from "./screen";

/**
 * Screening with the real model (nsfwjs's MobileNetV2 in @sorami/ml's
 * worker) on pictures this test draws: a plain white page, which the model
 * takes for a drawing with a little "Hentai" in it (~0.04), and a line
 * drawing it takes for neutral (~0.0001). What matters here is that each
 * stored file is scored from storage, a video by its poster, and that what
 * cannot be read or decoded gets no score rather than a failure.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
const storage: Storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-screen-test-")));

const svg = (body: string) =>
  sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256">${body}</svg>`))
    .png()
    .toBuffer();

beforeAll(async () => {
  t = await startTestDatabase();
  await storage.put("images/img-job/image_1.png", await svg('<rect width="256" height="256" fill="#fff"/>'), "PNG");
  await storage.put(
    "images/img-job/image_2.png",
    await svg(
      '<rect width="256" height="256" fill="#fff"/><circle cx="128" cy="100" r="50" fill="none" stroke="#000" stroke-width="4"/>',
    ),
    "PNG",
  );
  await storage.put("images/img-job/image_3.png", Buffer.from("not a picture"), "PNG");
  await storage.put(
    "videos/vid-job/video_1_poster.jpg",
    await svg('<rect width="256" height="256" fill="#fff"/>'),
    "JPEG",
  );
});
afterAll(async () => {
  await defaultMlEngine().stop();
  await t?.stop();
});

const image = (n: number) => ({
  file_path: `images/img-job/image_${n}.png`,
  url: "",
  format: "PNG",
  size_bytes: 1,
  dimensions: "256x256",
});

async function completedJob(id: string, kind: "image" | "video", result: CompletedData | null, status = "COMPLETED") {
  await t.db.insert(schema.generatorJobs).values({
    id,
    kind,
    userId: "u",
    request: {},
    status: status as "COMPLETED",
    result,
  });
}

describe("screenJob", () => {
  it("scores each stored image of a completed job; an undecodable one gets no score", async () => {
    await completedJob("img-job", "image", { images: [image(1), image(2), image(3)] } as CompletedData);
    const screened = await screenJob(t.db, storage, "img-job");
    expect(screened?.files.map((f) => f.index)).toEqual([0, 1, 2]);
    const [white, drawing, broken] = screened?.files ?? [];
    expect(Object.keys(white?.scores ?? {}).sort()).toEqual(["Drawing", "Hentai", "Neutral", "Porn", "Sexy"]);
    const sum = Object.values(white?.scores ?? {}).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 3);
    // The same model on two different pictures: two different judgements, the plain page the less innocent.
    expect(white?.nsfw).toBeGreaterThan(drawing?.nsfw ?? 1);
    expect(drawing?.scores?.Neutral).toBeGreaterThan(0.5);
    expect(broken).toEqual({ index: 2, scored_key: "images/img-job/image_3.png", scores: null, nsfw: null });
  });

  it("scores a video by its poster", async () => {
    await completedJob("vid-job", "video", {
      videos: [
        {
          file_path: "videos/vid-job/video_1.mp4",
          poster_path: "videos/vid-job/video_1_poster.jpg",
          url: "",
          format: "MP4",
          size_bytes: 1,
          dimensions: "256x256",
          duration_seconds: 1,
        },
      ],
    } as CompletedData);
    const screened = await screenJob(t.db, storage, "vid-job");
    expect(screened?.files[0]?.scored_key).toBe("videos/vid-job/video_1_poster.jpg");
    expect(screened?.files[0]?.nsfw).toBeTypeOf("number");
  });

  it("knows no unknown job, and refuses one that has not completed", async () => {
    expect(await screenJob(t.db, storage, "nobody")).toBeNull();
    await completedJob("running", "image", null, "GENERATING");
    await expect(screenJob(t.db, storage, "running")).rejects.toMatchObject({ code: "conflict", status: 409 });
  });
});
