import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type VideoParams, videoParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeComfyUI, startFakeComfyUI } from "../../../../../e2e/support/fakes/comfyui";
import { recordingContext, rejection } from "../engines/testing";
import { RemoteWorkFailed } from "../remote";
import { comfyInstancesFromEnv } from "./index";
import { loadComfyWorkflows } from "./loader";
import { ComfyPool } from "./pool";
import { ComfyUIProvider } from "./provider";

/** A video workflow: frames from duration × fps, the size from video_sizes, an MP4 with its poster. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");
let comfy: FakeComfyUI;
let dir: string;

/** The txt2img example turned into a video workflow saving with `save` (SaveVideo as MP4, or an animated WEBP). */
async function videoWorkflow(save: "SaveVideo" | "SaveAnimatedWEBP"): Promise<ComfyUIProvider<"video">> {
  const graph = JSON.parse(await readFile(path.join(EXAMPLES, "sdxl-txt2img.json"), "utf8"));
  delete graph["9"];
  graph["20"] = { class_type: "CreateVideo", inputs: { images: ["8", 0], fps: 8 } };
  graph["21"] =
    save === "SaveVideo"
      ? { class_type: save, inputs: { video: ["20", 0], filename_prefix: "video/test", format: "mp4", codec: "h264" } }
      : {
          class_type: save,
          inputs: {
            images: ["8", 0],
            filename_prefix: "anim",
            fps: 8,
            lossless: false,
            quality: 80,
            method: "default",
          },
        };
  await writeFile(path.join(dir, "video.json"), JSON.stringify(graph));
  await writeFile(
    path.join(dir, "video.sorami.json"),
    JSON.stringify({
      id: "comfyui:test-video",
      kind: "video",
      label: "Test video",
      workflow: "video.json",
      capabilities: {
        aspect_ratios: ["16:9", "9:16"],
        durations: { min: 1, max: 4, step: 1 },
        number_of_videos: { min: 1, max: 1 },
        person_generation: { text: ["ALLOW_ALL"], image: ["ALLOW_ALL"] },
        input_image: "none",
        negative_prompt: true,
        seed: true,
      },
      inputs: {
        prompt: { node: "6", input: "text" },
        negative_prompt: { node: "7", input: "text" },
        seed: { node: "3", input: "seed" },
        width: { node: "5", input: "width" },
        height: { node: "5", input: "height" },
        frames: { node: "5", input: "batch_size" },
      },
      fps: 8,
      video_sizes: { "16:9": "320x176", "9:16": "176x320" },
      output: { node: "21" },
    }),
  );
  const [model] = await loadComfyWorkflows(dir);
  if (model?.entry.kind !== "video") {
    throw new Error("video model expected");
  }
  return new ComfyUIProvider<"video">(
    model.entry,
    model.template,
    new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: comfy.url })),
    { pollMs: 20, instanceDownAfterMs: 5000 },
  );
}

beforeAll(async () => {
  comfy = await startFakeComfyUI({ stepMs: 1 });
  dir = await mkdtemp(path.join(os.tmpdir(), "sorami-video-workflow-"));
});
afterAll(async () => {
  await comfy?.close();
  await rm(dir, { recursive: true, force: true });
});

const params = (over: Partial<VideoParams> = {}): VideoParams =>
  videoParamsSchema.parse({ prompt: "waves on a beach", aspect_ratio: "9:16", duration_seconds: 2, ...over });

describe("ComfyUI video workflows", () => {
  it("fills frames and size, and returns the MP4 with a poster frame", async () => {
    const provider = await videoWorkflow("SaveVideo");
    const ctx = recordingContext("video-job-1");
    const handle = await provider.submit(params({ negative_prompt: "rain" }), ctx);
    const graph = comfy.posted().at(-1)?.body.prompt;
    expect(graph?.["5"]?.inputs).toEqual({ width: 176, height: 320, batch_size: 16 });
    expect(graph?.["7"]?.inputs?.text).toBe("rain");
    const out = await provider.wait(handle, params(), ctx);
    const [file] = out.files;
    expect(file).toMatchObject({ format: "MP4", ext: "mp4", width: 176, height: 320 });
    expect(file?.durationSeconds).toBeCloseTo(2, 0);
    expect(file?.data.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect((await sharp(file?.poster?.data).metadata()).format).toBe("jpeg");
  });
});

describe("a video output Sorami cannot store", () => {
  it("is refused with what to change in the workflow", async () => {
    const provider = await videoWorkflow("SaveAnimatedWEBP");
    const ctx = recordingContext("video-job-2");
    const handle = await provider.submit(params({ duration_seconds: 1 }), ctx);
    const refused = await rejection(provider.wait(handle, params(), ctx));
    expect(refused).toBeInstanceOf(RemoteWorkFailed);
    expect(refused.message).toContain("is not an MP4 or WEBM video; save the workflow's video as one");
  });
});
