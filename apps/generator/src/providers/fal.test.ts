import {
  BUILT_IN_MODELS,
  type CatalogEntry,
  type ImageParams,
  imageParamsSchema,
  videoParamsSchema,
} from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeFal, startFakeFal } from "../../../../e2e/support/fakes/fal";
import { createFal, FalProvider } from "./fal";
import { RemoteWorkFailed } from "./remote";
import { bytesAt, context, FAST_POLL, FAST_RETRY, failure } from "./remote-test-kit";
import { RemoteLostError } from "./types";

/** The real @fal-ai/client against a local server speaking fal's queue API. */
let fal: FakeFal;
const entry = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;
const make = <K extends "image" | "video">(id: string) =>
  new FalProvider<K>(createFal({ key: fal.key, baseUrl: fal.url }), entry(id), FAST_POLL, FAST_RETRY);

beforeAll(async () => {
  fal = await startFakeFal();
});
afterAll(async () => fal?.close());

/** Image parameters, with the catalog's extra knobs (seed, steps, guidance) beside the documents' form. */
const image = ({ seed, steps, guidance, ...over }: Partial<ImageParams> & Record<string, unknown>) =>
  ({
    ...imageParamsSchema.parse({ prompt: "a lighthouse", size: "512x512", ...over }),
    ...(seed === undefined ? {} : { seed }),
    ...(steps === undefined ? {} : { steps }),
    ...(guidance === undefined ? {} : { guidance }),
  }) as ImageParams;

describe("fal provider", () => {
  it("submits once, reports queue position and log percentages, and stores the files it downloads", async () => {
    fal.on("[progress]", {
      queue: [3, 1],
      logs: ["Loading model", " 50%|█████     | 2/4 [00:01<00:01,  1.95it/s]", "100%|██████████| 4/4 [00:02<00:00]"],
    });
    const provider = make<"image">("fal-ai/flux/schnell");
    const params = image({ prompt: "lighthouse [progress]", num_images: 2, format: "PNG", seed: 7, steps: 4 });
    const { ctx, progress } = context();
    const handle = await provider.submit(params, ctx);
    const out = await provider.wait(handle, params, ctx);

    const [submitted] = fal.submitted().filter((r) => r.body?.prompt === "lighthouse [progress]");
    expect(submitted?.path).toBe("/fal-ai/flux/schnell");
    expect(submitted?.headers.authorization).toBe(`Key ${fal.key}`);
    expect(submitted?.body).toEqual({
      prompt: "lighthouse [progress]",
      num_images: 2,
      image_size: { width: 512, height: 512 },
      output_format: "png",
      seed: 7,
      num_inference_steps: 4,
      enable_safety_checker: true,
    });
    expect(progress).toContainEqual({ providerStatus: "IN_QUEUE", queuePosition: 3, message: "In queue — position 3" });
    expect(progress).toContainEqual({ providerStatus: "IN_QUEUE", queuePosition: 1, message: "In queue — position 1" });
    expect(progress).toContainEqual({ providerStatus: "IN_PROGRESS", message: "Loading model" });
    expect(progress.filter((p) => p.percent !== undefined).map((p) => p.percent)).toEqual([50, 100]);
    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      expect(file).toMatchObject({ format: "PNG", ext: "png", width: 512, height: 512 });
      expect((await sharp(file.data).metadata()).format).toBe("png");
    }
    expect(out.metadata).toMatchObject({ provider: "fal", model_name: "fal-ai/flux/schnell", request_id: handle.id });
  });

  it("converts what fal made into the requested format and size", async () => {
    const provider = make<"image">("fal-ai/flux/dev");
    const params = image({ prompt: "webp please", size: "768x1024", format: "WEBP", guidance: 3.5 });
    const { ctx } = context();
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    const run = [...fal.runs.values()].find((r) => r.prompt === "webp please");
    expect(run?.input).toMatchObject({
      output_format: "png",
      guidance_scale: 3.5,
      image_size: { width: 768, height: 1024 },
    });
    expect(out.files[0]).toMatchObject({ format: "WEBP", ext: "webp", width: 768, height: 1024 });
    expect((await sharp(out.files[0]?.data).metadata()).format).toBe("webp");
  });

  it("makes a video with its poster from a fal video model", async () => {
    const provider = make<"video">("fal-ai/kling-video/v2/master/text-to-video");
    const params = videoParamsSchema.parse({ prompt: "waves", duration_seconds: 5, aspect_ratio: "9:16" });
    const { ctx } = context();
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    const run = [...fal.runs.values()].find((r) => r.prompt === "waves");
    expect(run?.input).toEqual({ prompt: "waves", duration: "5", aspect_ratio: "9:16" });
    expect(out.files[0]).toMatchObject({ format: "MP4", ext: "mp4", width: 180, height: 320 });
    expect(out.files[0]?.durationSeconds).toBeCloseTo(5, 0);
    expect((await sharp(out.files[0]?.poster?.data).metadata()).format).toBe("jpeg");
  });

  it("refuses what the model cannot do before paying for a call", async () => {
    const before = fal.submitted().length;
    const provider = make<"image">("fal-ai/flux/schnell");
    const { ctx } = context();
    expect((await failure(provider.submit(image({ guidance: 3 }), ctx))).message).toBe(
      "guidance is not supported by fal-ai/flux/schnell; leave it out",
    );
    expect(fal.submitted().length).toBe(before);
  });

  it("fails with fal's own words: a blocked prompt, flagged images, a failed run", async () => {
    fal.on("[blocked]", { outcome: "blocked", message: "The content was flagged by a content checker." });
    fal.on("[flagged]", { flagAll: true });
    fal.on("[crash]", { outcome: "failure", message: "CUDA out of memory." });
    const provider = make<"image">("fal-ai/flux/schnell");
    const run = async (prompt: string) => {
      const params = image({ prompt });
      const { ctx } = context();
      return failure(provider.submit(params, ctx).then((h) => provider.wait(h, params, ctx)));
    };
    const blocked = await run("x [blocked]");
    expect([blocked.kind, blocked.message]).toEqual([
      "content_blocked",
      "fal's content checker refused the request: prompt: The content was flagged by a content checker.",
    ]);
    expect((await run("x [flagged]")).kind).toBe("content_blocked");
    const crashed = await run("x [crash]");
    expect([crashed.kind, crashed.message, crashed instanceof RemoteWorkFailed]).toEqual([
      "transient",
      "fal had a temporary error (HTTP 500): CUDA out of memory.",
      true,
    ]);
  });

  it("waits out a 429 with Retry-After instead of letting the client hammer fal", async () => {
    fal.on("[busy]", { rateLimit: { times: 1, retryAfterSeconds: 1 } });
    const provider = make<"image">("fal-ai/flux/schnell");
    const params = image({ prompt: "x [busy]" });
    const { ctx } = context();
    const out = await provider.wait(await provider.submit(params, ctx), params, ctx);
    expect(out.files).toHaveLength(1);
    // One refused and one accepted request reached fal; the client's own quick retries did not.
    expect(fal.submitted().filter((r) => r.body?.prompt === "x [busy]")).toHaveLength(2);
    expect(fal.submissions("[busy]")).toBe(1);
  });

  it("downloads outputs only from public addresses or fal's configured host", async () => {
    fal.on("[private]", { outputBase: "http://10.1.2.3" });
    const provider = make<"image">("fal-ai/flux/schnell");
    const params = image({ prompt: "x [private]" });
    const { ctx } = context();
    const e = await failure(provider.submit(params, ctx).then((h) => provider.wait(h, params, ctx)));
    expect([e.kind, e.message]).toEqual([
      "no_output",
      "fal's output URL points to 10.1.2.3 (private address); Sorami fetches files from public addresses only.",
    ]);
  });

  it("cancels through fal's cancel endpoint", async () => {
    fal.on("[hold-cancel]", { hold: true });
    const provider = make<"image">("fal-ai/flux/schnell");
    const params = image({ prompt: "x [hold-cancel]" });
    const job = new AbortController();
    const { ctx } = context({ signal: job.signal });
    const handle = await provider.submit(params, ctx);
    const waiting = provider.wait(handle, params, ctx).catch((e: unknown) => e);
    await provider.cancel(handle);
    job.abort(new Error("canceled by the user"));
    expect(await waiting).toBeInstanceOf(Error);
    expect(fal.cancels().map((r) => r.path)).toEqual([`/fal-ai/flux/requests/${handle.id}/cancel`]);
    await provider.cancel(handle); // again, once fal has it canceled: nothing to stop, no error
  });

  it("resumes on a stored request id after a restart: one submission, that submission's output", async () => {
    fal.on("[resume]", { queue: [2], hold: true });
    const params = image({ prompt: "x [resume]", num_images: 3 });
    const first = make<"image">("fal-ai/flux/schnell");
    const killed = new AbortController();
    const { ctx } = context({ signal: killed.signal });
    const handle = await first.submit(params, ctx);
    const stored = JSON.parse(JSON.stringify(handle));
    const abandoned = first.wait(handle, params, ctx).catch(() => "killed");
    killed.abort();
    expect(await abandoned).toBe("killed");

    fal.release(handle.id);
    const second = make<"image">("fal-ai/flux/schnell");
    const resumed = context();
    const out = await second.wait(stored, params, resumed.ctx);
    expect(fal.submissions("[resume]")).toBe(1);
    const made = fal.runs.get(handle.id)?.outputs ?? [];
    expect(made).toHaveLength(3);
    expect(out.files.map((f) => f.data)).toEqual(await Promise.all(made.map(bytesAt)));
    expect(out.metadata.request_id).toBe(handle.id);
  });

  it("collects a request that finished while the generator was away, and says when fal forgot one", async () => {
    const params = image({ prompt: "x [done-before]" });
    const provider = make<"image">("fal-ai/flux/schnell");
    const { ctx } = context();
    const handle = await provider.submit(params, ctx);
    const { client } = createFal({ key: fal.key, baseUrl: fal.url });
    expect((await client.queue.status("fal-ai/flux/schnell", { requestId: handle.id })).status).toBe("COMPLETED");
    const out = await make<"image">("fal-ai/flux/schnell").wait(handle, params, ctx);
    expect([out.files.length, out.metadata.polls, fal.submissions("[done-before]")]).toEqual([1, 1, 1]);

    const lost = await make<"image">("fal-ai/flux/schnell")
      .wait({ id: "0123456789abcdef", state: { app: "fal-ai/flux/schnell" } }, params, ctx)
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RemoteLostError);
  });
});
