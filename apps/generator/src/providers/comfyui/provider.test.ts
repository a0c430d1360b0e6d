import path from "node:path";
import { type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeComfyUI, startFakeComfyUI } from "../../../../../e2e/support/fakes/comfyui";
import { startFakeServer } from "../../../../../e2e/support/fakes/server";
import { PREVIEW_MAX_SIDE } from "../engines/preview";
import { recordingContext, rejection, until } from "../engines/testing";
import { RemoteWorkFailed } from "../remote";
import { ProviderError, type RemoteHandle } from "../types";
import { comfyInstancesFromEnv } from "./index";
import { type ComfyModel, loadComfyWorkflows } from "./loader";
import { ComfyPool } from "./pool";
import { ComfyUIProvider, promptIdFor, UPLOAD_SUBFOLDER } from "./provider";

/** Sorami's ComfyUI provider against a local server speaking ComfyUI's HTTP and websocket protocol. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");
const FAST = { pollMs: 20, instanceDownAfterMs: 5000 };
const RETRY = { attempts: 2, baseMs: 10, maxWaitMs: 1000 };

let comfy: FakeComfyUI;
let models: ComfyModel[];
let txt2img: ComfyUIProvider<"image">;
let img2img: ComfyUIProvider<"image">;

function providerFor(id: string, pool: ComfyPool): ComfyUIProvider<"image"> {
  const model = models.find((m) => m.entry.id === id);
  if (model?.entry.kind !== "image") {
    throw new Error(`no image model ${id}`);
  }
  return new ComfyUIProvider<"image">(model.entry, model.template, pool, FAST, RETRY);
}

beforeAll(async () => {
  comfy = await startFakeComfyUI({ stepMs: 2 });
  models = await loadComfyWorkflows(EXAMPLES);
  const pool = new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: comfy.url }));
  txt2img = providerFor("comfyui:sdxl-base", pool);
  img2img = providerFor("comfyui:sdxl-img2img", pool);
});
afterAll(async () => comfy?.close());

const params = (over: Partial<ImageParams> & Record<string, unknown> = {}): ImageParams =>
  ({ ...imageParamsSchema.parse({ prompt: "a red fox in the snow", size: "1024x1024" }), ...over }) as ImageParams;
let jobs = 0;
const newJob = () => `job-${process.pid}-${++jobs}`;

/** Submits, then waits with the socket open before the fake runs a step, so every event is seen. */
async function runHeld(provider: ComfyUIProvider<"image">, p: ImageParams, ctx = recordingContext(newJob())) {
  comfy.hold();
  let handle: RemoteHandle | undefined;
  try {
    handle = await provider.submit(p, ctx);
  } catch (error) {
    comfy.release();
    throw error;
  }
  const waiting = provider.wait(handle, p, ctx);
  const clientId = String(handle.state?.client_id);
  await until(() => comfy.connected(clientId), "the provider's websocket");
  comfy.release();
  return { handle, ctx, out: await waiting };
}

describe("ComfyUI provider", () => {
  it("runs a text-to-image workflow: the filled graph, the outputs in the requested size and format", async () => {
    const p = params({
      num_images: 2,
      size: "1024x768",
      format: "JPEG",
      steps: 10,
      seed: 1234,
      negative_prompt: "fog",
    });
    const { handle, ctx, out } = await runHeld(txt2img, p);

    const post = comfy.posted().at(-1);
    const graph = post?.body.prompt;
    expect(post?.body).toMatchObject({
      client_id: handle.state?.client_id,
      prompt_id: promptIdFor(ctx.jobId),
      extra_data: { sorami_job_id: ctx.jobId },
    });
    expect(graph?.["6"]?.inputs?.text).toBe("a red fox in the snow, photorealistic style");
    expect(graph?.["7"]?.inputs?.text).toBe("fog");
    expect(graph?.["5"]?.inputs).toMatchObject({ width: 1024, height: 768, batch_size: 2 });
    expect(graph?.["3"]?.inputs).toMatchObject({ seed: 1234, steps: 10, cfg: 7, sampler_name: "dpmpp_2m" });
    expect(handle).toMatchObject({ id: promptIdFor(ctx.jobId), instance: comfy.url, state: { seed: 1234 } });

    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      const meta = await sharp(file.data).metadata();
      expect([meta.format, meta.width, meta.height, file.ext, file.format]).toEqual(["jpeg", 1024, 768, "jpg", "JPEG"]);
    }
    expect(out.metadata).toMatchObject({
      provider: "comfyui",
      model_name: "comfyui:sdxl-base",
      instance: comfy.url,
      prompt_id: handle.id,
      workflow: "sdxl-txt2img.json",
      seed: 1234,
    });
    expect(comfy.promptsFor(ctx.jobId)).toBe(1);
  });

  it("reports ComfyUI's progress (value/max) and small live previews", async () => {
    const { ctx } = await runHeld(txt2img, params({ steps: 10 }));
    const percents = ctx.reports.flatMap((r) => (r.percent === undefined ? [] : [r.percent]));
    expect(percents).toContain(100);
    expect(percents[0]).toBeLessThan(100);
    expect(ctx.reports.some((r) => r.message === "KSampler: step 3 of 10")).toBe(true);
    expect(ctx.reports.some((r) => r.message === "SaveImage (node 9)")).toBe(true);
    const previews = ctx.reports.flatMap((r) => (r.preview ? [r.preview] : []));
    expect(previews.length).toBeGreaterThanOrEqual(1);
    for (const preview of previews) {
      const meta = await sharp(preview.data).metadata();
      expect(preview.mimeType).toBe("image/webp");
      expect(meta.format).toBe("webp");
      expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(PREVIEW_MAX_SIDE);
    }
  });

  it("runs an image-to-image workflow on the uploaded input image", async () => {
    const red = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 220, g: 20, b: 20 } } })
      .png()
      .toBuffer();
    const ctx = recordingContext(newJob(), { inputImage: red });
    const { out } = await runHeld(img2img, params({ steps: 10 }), ctx);

    const upload = comfy.requests.filter((r) => r.path === "/upload/image").at(-1);
    expect(upload?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const graph = comfy.posted().at(-1)?.body.prompt;
    expect(graph?.["10"]?.inputs?.image).toBe(`${UPLOAD_SUBFOLDER}/${ctx.jobId}.png`);
    expect(graph?.["11"]?.inputs).toMatchObject({ width: 1024, height: 1024 });

    const [file] = out.files;
    const { data, info } = await sharp(file?.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([1024, 1024]);
    // The stand-in renders image-to-image from the uploaded pixels: red in, red out.
    expect([data[0], data[1], data[2]]).toEqual([220, 20, 20]);
  });

  it("refuses an image-to-image job without an input image before queuing anything", async () => {
    const ctx = recordingContext(newJob());
    const error = await rejection(img2img.submit(params(), ctx));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("invalid_request");
    expect(comfy.promptsFor(ctx.jobId)).toBe(0);
  });

  it("turns an execution error into a spent handle: out of memory is worth a retry, other exceptions are not", async () => {
    const oom = await rejection(runHeld(txt2img, params({ prompt: "a fox [oom]", steps: 10 })));
    expect(oom).toBeInstanceOf(RemoteWorkFailed);
    expect((oom as ProviderError).kind).toBe("transient");
    expect(oom.message).toContain("at node 3 (KSampler)");

    const broken = await rejection(runHeld(txt2img, params({ prompt: "a fox [error]", steps: 10 })));
    expect((broken as ProviderError).kind).toBe("invalid_request");
    expect(broken.message).toContain("mat1 and mat2 shapes cannot be multiplied");
  });
});

describe("ComfyUI refusals and credentials", () => {
  it("names the node of a node_errors answer (a checkpoint this ComfyUI does not have)", async () => {
    const other = await startFakeComfyUI({ checkpoints: ["flux1-dev.safetensors"] });
    try {
      const provider = providerFor(
        "comfyui:sdxl-base",
        new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: other.url })),
      );
      const error = await rejection(provider.submit(params(), recordingContext(newJob())));
      expect((error as ProviderError).kind).toBe("invalid_request");
      expect(error.message).toBe(
        `ComfyUI refused the workflow sdxl-txt2img.json: node 4 (CheckpointLoaderSimple): Value not in list: ckpt_name: 'sd_xl_base_1.0.safetensors' not in ["flux1-dev.safetensors"]`,
      );
    } finally {
      await other.close();
    }
  });

  it("names the node of an unknown node class", async () => {
    const model = models.find((m) => m.entry.id === "comfyui:sdxl-base") as ComfyModel;
    const graph = structuredClone(model.template.graph) as Record<string, { class_type: string }>;
    (graph["8"] as { class_type: string }).class_type = "VAEDecodeTiledTurbo";
    const provider = new ComfyUIProvider<"image">(
      model.entry as Extract<typeof model.entry, { kind: "image" }>,
      { ...model.template, graph: graph as typeof model.template.graph },
      new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: comfy.url })),
      FAST,
    );
    const error = await rejection(provider.submit(params(), recordingContext(newJob())));
    expect((error as ProviderError).kind).toBe("invalid_request");
    expect(error.message).toContain("Cannot execute because node VAEDecodeTiledTurbo does not exist. Node ID '#8'");
  });

  it("says COMFYUI_URLS is wrong when the URL answers but is not ComfyUI", async () => {
    const notComfy = await startFakeServer(() => ({ status: 404, json: { detail: "Not Found" } }));
    try {
      const provider = providerFor(
        "comfyui:sdxl-base",
        new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: notComfy.url })),
      );
      const error = await rejection(provider.submit(params(), recordingContext(newJob())));
      expect((error as ProviderError).kind).toBe("invalid_request");
      expect(error.message).toContain("has no /system_stats (HTTP 404)");
      expect(error.message).toContain("COMFYUI_URLS");
    } finally {
      await notComfy.close();
    }
  });

  it("sends the configured header on HTTP and websocket, and names the variable when refused", async () => {
    const guarded = await startFakeComfyUI({ requireHeader: { name: "Authorization", value: "Bearer s3cret" } });
    try {
      const instances = comfyInstancesFromEnv({
        COMFYUI_URLS: `${comfy.url},${guarded.url}`,
        COMFYUI_AUTH_HEADER_2: "Authorization: Bearer s3cret",
      });
      expect(instances[1]?.headers).toEqual({ Authorization: "Bearer s3cret" });
      const onlyGuarded = providerFor("comfyui:sdxl-base", new ComfyPool([instances[1] as (typeof instances)[1] & {}]));
      guarded.hold();
      const ctx = recordingContext(newJob());
      const handle = await onlyGuarded.submit(params({ steps: 10 }), ctx);
      const waiting = onlyGuarded.wait(handle, params({ steps: 10 }), ctx);
      await until(() => guarded.connected(String(handle.state?.client_id)), "the authorized websocket");
      guarded.release();
      expect((await waiting).files).toHaveLength(1);

      const wrong = comfyInstancesFromEnv({
        COMFYUI_URLS: guarded.url,
        COMFYUI_AUTH_HEADER_1: "Authorization: Bearer no",
      });
      const refused = await rejection(
        providerFor("comfyui:sdxl-base", new ComfyPool(wrong)).submit(params(), recordingContext(newJob())),
      );
      expect((refused as ProviderError).kind).toBe("invalid_request");
      expect(refused.message).toContain("refused Sorami (HTTP 401)");
    } finally {
      await guarded.close();
    }
  });
});
