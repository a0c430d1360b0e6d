import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { INPUT_IMAGE_MAX_BYTES, inputImageKey } from "@sorami/contracts";
import { getGeneratorJob } from "@sorami/db/queries/generator-jobs";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage, type Storage } from "@sorami/storage";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitJob } from "./jobs";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
const storage: Storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-submit-test-")));
let png: Buffer;

beforeAll(async () => {
  t = await startTestDatabase();
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#36c" } })
    .png()
    .toBuffer();
});
afterAll(async () => t?.stop());

const video = (jobId: string, extra: Record<string, unknown>) => ({
  prompt: "waves",
  aspect_ratio: "16:9" as const,
  duration_seconds: 1,
  number_of_videos: 1,
  person_generation: "ALLOW_ALL" as const,
  job_id: jobId,
  user_id: "u1",
  ...extra,
});

/** The model the route chose (here: the local video model). */
const LOCAL = { id: "local-video-v1", provider: "local" };

describe("an input image by storage key", () => {
  it("takes the image where the caller stored it: the job keeps the key, nothing is stored again", async () => {
    const key = inputImageKey("by-key-1", "PNG");
    await storage.put(key, png, "PNG");
    const { job, created } = await submitJob(
      t.db,
      storage,
      "video",
      video("by-key-1", { input_image_key: key }),
      LOCAL,
    );
    expect([created, job.inputKey]).toEqual([true, key]);
    expect((await getGeneratorJob(t.db, "by-key-1"))?.request).not.toHaveProperty("input_image_key");
  });

  it("refuses, naming input_image_key and writing no job, what is not this job's own stored image", async () => {
    await storage.put(inputImageKey("someone-else", "PNG"), png, "PNG");
    await storage.put(inputImageKey("liar", "JPEG"), png, "JPEG");
    await storage.put(inputImageKey("huge", "PNG"), Buffer.concat([png, Buffer.alloc(INPUT_IMAGE_MAX_BYTES)]), "PNG");
    for (const [jobId, key] of [
      ["other", inputImageKey("someone-else", "PNG")],
      ["missing", inputImageKey("missing", "PNG")],
      ["liar", inputImageKey("liar", "JPEG")],
      ["huge", inputImageKey("huge", "PNG")],
    ] as const) {
      await expect(
        submitJob(t.db, storage, "video", video(jobId, { input_image_key: key }), LOCAL),
        jobId,
      ).rejects.toMatchObject({ code: "unprocessable", field: "input_image_key" });
      expect(await getGeneratorJob(t.db, jobId), jobId).toBeNull();
    }
  });

  it("still stores an image sent as base64, under the same key, for callers without the shared storage", async () => {
    const { job } = await submitJob(
      t.db,
      storage,
      "video",
      video("by-base64", { input_image_base64: png.toString("base64") }),
      LOCAL,
    );
    expect(job.inputKey).toBe(inputImageKey("by-base64", "PNG"));
    expect(await storage.open(inputImageKey("by-base64", "PNG"))).not.toBeNull();
  });
});
