import {
  BUILT_IN_MODELS,
  type CatalogEntry,
  catalogEntrySchema,
  type ImageParams,
  imageParamsSchema,
  videoParamsSchema,
} from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeReplicate, startFakeReplicate } from "../../../../e2e/support/fakes/replicate";
import { RemoteWorkFailed } from "./remote";
import { bytesAt, context, FAST_POLL, FAST_RETRY, failure } from "./remote-test-kit";
import { createReplicate, ReplicateProvider } from "./replicate";
import { RemoteLostError } from "./types";

/** The real `replicate` client against a local server speaking Replicate's predictions API. */
let replicate: FakeReplicate;
const entry = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;
const make = <K extends "image" | "video">(e: CatalogEntry | string) =>
  new ReplicateProvider<K>(
    createReplicate({ token: replicate.token, baseUrl: `${replicate.url}/v1` }),
    typeof e === "string" ? entry(e) : e,
    FAST_POLL,
    FAST_RETRY,
  );
const image = ({ seed, steps, ...over }: Partial<ImageParams> & Record<string, unknown>) =>
  ({
    ...imageParamsSchema.parse({ prompt: "a lighthouse", size: "1024x1024", ...over }),
    ...(seed === undefined ? {} : { seed }),
    ...(steps === undefined ? {} : { steps }),
  }) as ImageParams;
const SCHNELL = "replicate:black-forest-labs/flux-schnell";

beforeAll(async () => {
  replicate = await startFakeReplicate();
});
afterAll(async () => replicate?.close());

describe("Replicate provider", () => {
  it("creates a prediction by model, reports log percentages, and converts the outputs", async () => {
    replicate.on("[progress]", {
      queue: [0],
      logs: ["Using seed: 7", " 25%|██▌       | 1/4 [00:00<00:01]", "100%|██████████| 4/4 [00:01<00:00]"],
    });
    const provider = make<"image">(SCHNELL);
    const params = image({
      prompt: "boat [progress]",
      size: "1280x720",
      format: "JPEG",
      num_images: 2,
      seed: 7,
      steps: 4,
    });
    const { ctx, progress } = context();
    const handle = await provider.submit(params, ctx);
    const out = await provider.wait(handle, params, ctx);

    const [created] = replicate.creates().filter((r) => r.body?.input?.prompt === "boat [progress]");
    expect(created?.path).toBe("/v1/models/black-forest-labs/flux-schnell/predictions");
    expect(created?.headers.authorization).toBe(`Bearer ${replicate.token}`);
    expect(created?.body).toEqual({
      input: {
        prompt: "boat [progress]",
        num_outputs: 2,
        aspect_ratio: "16:9",
        output_format: "jpg",
        seed: 7,
        num_inference_steps: 4,
      },
    });
    expect(progress[0]).toEqual({ providerStatus: "starting" });
    expect(progress).toContainEqual({ providerStatus: "processing", message: "Using seed: 7" });
    expect(progress.filter((p) => p.percent !== undefined).map((p) => p.percent)).toEqual([25, 100]);
    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      // Replicate made 512x288 at 16:9; Sorami stores the requested 1280x720 JPEG.
      expect(file).toMatchObject({ format: "JPEG", ext: "jpg", width: 1280, height: 720 });
      expect(await sharp(file.data).metadata()).toMatchObject({ format: "jpeg", width: 1280, height: 720 });
    }
    expect(out.metadata).toMatchObject({ provider: "replicate", prediction_id: handle.id, predict_time: 0.7 });
  });

  it("creates by version, sends the input image as a data URI, and reads a single URL", async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } })
      .png()
      .toBuffer();
    const version = "a".repeat(64);
    const byVersion = catalogEntrySchema.parse({
      ...entry("replicate:black-forest-labs/flux-1.1-pro"),
      id: "my-flux",
      options: { ...entry("replicate:black-forest-labs/flux-1.1-pro").options, version },
    });
    const provider = make<"image">(byVersion);
    const params = image({ prompt: "redux", size: "1024x1024", format: "PNG" });
    const { ctx } = context({ inputImage: png });
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    const [created] = replicate.creates().filter((r) => r.body?.input?.prompt === "redux");
    expect(created?.path).toBe("/v1/predictions");
    expect(created?.body).toMatchObject({
      version,
      input: {
        aspect_ratio: "1:1",
        output_format: "png",
        image_prompt: `data:image/png;base64,${png.toString("base64")}`,
      },
    });
    expect(out.files).toHaveLength(1);
  });

  it("makes a video from a Replicate video model", async () => {
    const provider = make<"video">("replicate:minimax/video-01");
    const params = videoParamsSchema.parse({ prompt: "a kite", duration_seconds: 6, aspect_ratio: "16:9" });
    const { ctx } = context();
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    expect(out.files[0]).toMatchObject({ format: "MP4", width: 320, height: 180 });
    expect(out.files[0]?.durationSeconds).toBeCloseTo(6, 0);
  });

  it("fails with Replicate's words: a failed prediction, a safety block, a refused input", async () => {
    replicate.on("[crash]", { outcome: "failure", message: "CUDA out of memory" });
    replicate.on("[nsfw]", {
      outcome: "failure",
      message: "NSFW content detected. Try running it again, or try a different prompt.",
    });
    const provider = make<"image">(SCHNELL);
    const run = async (prompt: string) => {
      const params = image({ prompt });
      const { ctx } = context();
      return failure(provider.submit(params, ctx).then((h) => provider.wait(h, params, ctx)));
    };
    const crashed = await run("x [crash]");
    expect([crashed.kind, crashed.message, crashed instanceof RemoteWorkFailed]).toEqual([
      "invalid_request",
      "The model failed on Replicate: CUDA out of memory",
      true,
    ]);
    const blocked = await run("x [nsfw]");
    expect([blocked.kind, blocked.message]).toEqual([
      "content_blocked",
      "The model's safety checker refused this on Replicate: NSFW content detected. Try running it again, or try a different prompt.",
    ]);
  });

  it("honours retry_after on a 429: the client's instant retries never reach Replicate", async () => {
    replicate.on("[busy]", { rateLimit: { times: 1, retryAfterSeconds: 1 } });
    const provider = make<"image">(SCHNELL);
    const params = image({ prompt: "x [busy]" });
    const { ctx } = context();
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    expect(out.files).toHaveLength(1);
    expect(replicate.creates().filter((r) => r.body?.input?.prompt === "x [busy]")).toHaveLength(2);
    expect(replicate.submissions("[busy]")).toBe(1);
  });

  it("hands a long Retry-After to the queue instead of holding the worker", async () => {
    replicate.on("[slow-down]", { rateLimit: { times: 1, retryAfterSeconds: 60 } });
    const provider = make<"image">(SCHNELL);
    const { ctx } = context();
    const e = await failure(provider.submit(image({ prompt: "x [slow-down]" }), ctx));
    expect([e.kind, e.retryable]).toEqual(["rate_limit", true]);
    expect(e.retryAfterMs).toBeGreaterThan(50_000);
    expect(replicate.creates().filter((r) => r.body?.input?.prompt === "x [slow-down]")).toHaveLength(1);
  });

  it("refuses an output on a private address and cancels through Replicate's cancel endpoint", async () => {
    replicate.on("[private]", { outputBase: "http://192.168.1.20" });
    replicate.on("[hold]", { hold: true });
    const provider = make<"image">(SCHNELL);
    const params = image({ prompt: "x [private]" });
    const { ctx } = context();
    const e = await failure(provider.submit(params, ctx).then((h) => provider.wait(h, params, ctx)));
    expect(e.message).toBe(
      "Replicate's output URL points to 192.168.1.20 (private address); Sorami fetches files from public addresses only.",
    );
    const held = image({ prompt: "x [hold]" });
    const handle = await provider.submit(held, ctx);
    await provider.cancel(handle);
    expect(replicate.cancels().map((r) => r.path)).toEqual([`/v1/predictions/${handle.id}/cancel`]);
    const ended = await failure(provider.wait(handle, held, ctx));
    expect(ended.message).toBe("The prediction was canceled at Replicate");
  });

  it("resumes on a stored prediction id: one prediction, its output; a finished one is collected; a lost one is said", async () => {
    replicate.on("[resume]", { logs: ["warming up"], hold: true });
    const params = image({ prompt: "x [resume]", num_images: 2 });
    const killed = new AbortController();
    const { ctx } = context({ signal: killed.signal });
    const handle = await make<"image">(SCHNELL).submit(params, ctx);
    const stored = JSON.parse(JSON.stringify(handle));
    killed.abort();

    replicate.release(handle.id);
    const out = await make<"image">(SCHNELL).wait(stored, params, context().ctx);
    expect(replicate.submissions("[resume]")).toBe(1);
    const made = replicate.runs.get(handle.id)?.outputs ?? [];
    expect(made).toHaveLength(2);
    // The same prediction's images, converted to the requested size from what Replicate made.
    for (const [i, url] of made.entries()) {
      const original = await sharp(await bytesAt(url))
        .raw()
        .toBuffer({ resolveWithObject: true });
      const stored = await sharp(out.files[i]?.data).resize(original.info.width, original.info.height).raw().toBuffer();
      expect(stored.subarray(0, 3)).toEqual(original.data.subarray(0, 3));
    }

    // Finished while away: one poll collects it.
    const again = await make<"image">(SCHNELL).wait(stored, params, context().ctx);
    expect(again.metadata.polls).toBe(1);

    const lost = await make<"image">(SCHNELL)
      .wait({ id: "nope" }, params, context().ctx)
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RemoteLostError);
  });
});
