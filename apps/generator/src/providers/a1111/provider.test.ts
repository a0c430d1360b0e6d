import { type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeA1111, startFakeA1111 } from "../../../../../e2e/support/fakes/a1111";
import { startFakeServer } from "../../../../../e2e/support/fakes/server";
import { recordingContext, rejection, until } from "../engines/testing";
import { RemoteWorkFailed } from "../remote";
import { type ProviderError, RemoteLostError } from "../types";
import { a1111EntryFactory, a1111InstancesFromEnv, createA1111 } from "./index";
import { A1111Pool } from "./pool";
import type { A1111Provider } from "./provider";

/** Sorami's A1111/Forge provider against a local server speaking A1111's JSON API. */
let a1111: FakeA1111;
let providers: Map<string, A1111Provider>;
let sdxl: A1111Provider;

async function setUp(env: Record<string, string>) {
  const setup = await createA1111({ instances: a1111InstancesFromEnv(env), listed: [], pollMs: 10 });
  return setup;
}

beforeAll(async () => {
  a1111 = await startFakeA1111({ stepMs: 2 });
  ({ providers } = await setUp({ A1111_URLS: a1111.url }));
  sdxl = providers.get("a1111:sd_xl_base_1.0") as A1111Provider;
});
afterAll(async () => {
  a1111?.release();
  await a1111?.close();
});

const params = (over: Record<string, unknown> = {}): ImageParams =>
  ({ ...imageParamsSchema.parse({ prompt: "a mountain lake", size: "1024x1024" }), steps: 4, ...over }) as ImageParams;
let jobs = 0;
const newJob = () => `a1111-${process.pid}-${++jobs}`;
const lastRender = () => a1111.requests.filter((r) => r.path.endsWith("2img")).at(-1);

describe("A1111 models", () => {
  it("lists one model per checkpoint the server reports when the catalog file names none", async () => {
    const { entries } = await setUp({ A1111_URLS: a1111.url });
    expect(entries.map((e) => e.id)).toEqual(["a1111:sd_xl_base_1.0", "a1111:v1-5-pruned-emaonly"]);
    expect(entries[0]).toMatchObject({
      kind: "image",
      provider: "a1111",
      label: "sd_xl_base_1.0 (A1111)",
      options: { checkpoint: "sd_xl_base_1.0.safetensors [31e35c80fc]" },
      capabilities: { input_image: "optional", negative_prompt: true, seed: true, num_images: { min: 1, max: 4 } },
    });
    expect(entries[0]?.capabilities.sizes).toContain("1536x1024");
    expect(entries[0]?.capabilities.sizes).not.toContain("2048x2048");
  });

  it("builds the provider of each entry for the wiring", async () => {
    const setup = await setUp({ A1111_URLS: a1111.url });
    const built = await a1111EntryFactory(setup)(setup.entries[1] as (typeof setup.entries)[1] & {});
    expect([built.mode, built.provider.name]).toEqual(["async", "a1111"]);
  });
});

describe("A1111 renders", () => {
  it("renders txt2img with the checkpoint as an override, skipping the batch grid", async () => {
    const ctx = recordingContext(newJob());
    const p = params({ num_images: 2, size: "768x1024", format: "WEBP", seed: 7, negative_prompt: "fog", guidance: 5 });
    const handle = await sdxl.submit(p, ctx);
    const out = await sdxl.wait(handle, p, ctx);
    expect(lastRender()?.path).toBe("/sdapi/v1/txt2img");
    expect(lastRender()?.body).toMatchObject({
      prompt: "a mountain lake, photorealistic style",
      negative_prompt: "fog",
      seed: 7,
      steps: 4,
      cfg_scale: 5,
      width: 768,
      height: 1024,
      batch_size: 2,
      override_settings: { sd_model_checkpoint: "sd_xl_base_1.0.safetensors [31e35c80fc]" },
      force_task_id: handle.id,
      send_images: true,
      save_images: false,
    });
    expect(handle.id).toMatch(new RegExp(`^sorami-${ctx.jobId}-[0-9a-f]{8}$`));
    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      const { data, info } = await sharp(file.data).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, file.ext]).toEqual([768, 1024, "webp"]);
      // The grid A1111 puts first is white; the renders are not.
      expect(data[0]).not.toBe(255);
    }
    expect(out.metadata).toMatchObject({
      provider: "a1111",
      model_name: "a1111:sd_xl_base_1.0",
      seed: 7,
      task_id: handle.id,
    });
    expect(a1111.rendersFor(ctx.jobId)).toBe(1);
  });

  it("renders img2img from the input image", async () => {
    const red = await sharp({ create: { width: 200, height: 300, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    const ctx = recordingContext(newJob(), { inputImage: red });
    const handle = await sdxl.submit(params(), ctx);
    const out = await sdxl.wait(handle, params(), ctx);
    expect(lastRender()?.path).toBe("/sdapi/v1/img2img");
    expect(lastRender()?.body).toMatchObject({
      init_images: [red.toString("base64")],
      denoising_strength: 0.75,
      resize_mode: 1,
    });
    const { data } = await sharp(out.files[0]?.data).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([200, 10, 10]);
  });

  it("reports progress, ETA and a small live preview while rendering, and the line behind it", async () => {
    await until(() => !a1111.current(), "A1111 to be idle");
    a1111.hold();
    const first = recordingContext(newJob());
    const second = recordingContext(newJob());
    const h1 = await sdxl.submit(params({ steps: 8 }), first);
    const h2 = await sdxl.submit(params({ steps: 2 }), second);
    const w1 = sdxl.wait(h1, params(), first);
    const w2 = sdxl.wait(h2, params(), second);
    await until(
      () => first.reports.some((r) => r.preview) && first.reports.some((r) => (r.percent ?? 0) > 0),
      "progress",
    );
    const running = first.reports.find((r) => (r.percent ?? 0) > 0);
    expect(running).toMatchObject({
      providerStatus: "scripts_txt2img",
      message: expect.stringMatching(/^Step 1 of 8/),
    });
    const preview = first.reports.find((r) => r.preview)?.preview;
    expect(preview?.mimeType).toBe("image/webp");
    expect(second.reports).toContainEqual({
      providerStatus: "queued",
      queuePosition: 1,
      message: `Waiting for ${a1111.url} — position 1`,
    });
    a1111.release();
    expect((await w1).files).toHaveLength(1);
    expect((await w2).files).toHaveLength(1);
    expect([a1111.rendersFor(first.jobId), a1111.rendersFor(second.jobId)]).toEqual([1, 1]);
  });

  it("turns A1111's failures into spent handles: out of memory retryable, an unknown sampler not", async () => {
    const ctx = recordingContext(newJob());
    const oom = await rejection(sdxl.wait(await sdxl.submit(params({ prompt: "x [oom]" }), ctx), params(), ctx));
    expect(oom).toBeInstanceOf(RemoteWorkFailed);
    expect((oom as ProviderError).kind).toBe("transient");
    expect(oom.message).toContain("CUDA out of memory");

    const { providers: listed } = await createA1111({
      instances: a1111InstancesFromEnv({ A1111_URLS: a1111.url }),
      listed: [
        {
          id: "a1111:custom",
          kind: "image",
          provider: "a1111",
          label: "Custom",
          fallbacks: [],
          options: { checkpoint: "v1-5-pruned-emaonly", sampler_name: "Euler z" },
          capabilities: { ...sdxl.entry.capabilities },
        },
      ],
    });
    const custom = listed.get("a1111:custom") as A1111Provider;
    const bad = await rejection(custom.wait(await custom.submit(params(), ctx), params(), ctx));
    expect((bad as ProviderError).kind).toBe("invalid_request");
    expect(bad.message).toContain("Sampler not found");
  });
});

describe("cancelling an A1111 render", () => {
  it("interrupts a running render once, and never sends one still waiting its turn", async () => {
    await until(() => !a1111.current(), "A1111 to be idle");
    a1111.hold();
    const controller = new AbortController();
    const running = recordingContext(newJob(), { signal: controller.signal });
    const waiting = recordingContext(newJob());
    const h1 = await sdxl.submit(params({ steps: 50 }), running);
    const h2 = await sdxl.submit(params(), waiting);
    const w1 = rejection(sdxl.wait(h1, params(), running));
    const w2 = rejection(sdxl.wait(h2, params(), waiting));
    await until(() => a1111.current() === h1.id, "the first render to run");
    const interruptsBefore = a1111.interrupts().length;
    await sdxl.cancel(h2);
    controller.abort(new Error("canceled by the user"));
    await sdxl.cancel(h1);
    a1111.release();
    expect((await w1).message).toBe("canceled by the user");
    await w2;
    expect(a1111.interrupts().length - interruptsBefore).toBe(1);
    expect(a1111.rendersFor(waiting.jobId)).toBe(0);
  });
});

describe("an A1111 handle from a generator that restarted", () => {
  it("is lost (A1111 answers only the request that asked): the orphan is interrupted, the job renders again", async () => {
    await until(() => !a1111.current(), "A1111 to be idle");
    a1111.hold();
    const ctx = recordingContext(newJob());
    const handle = await sdxl.submit(params({ steps: 50 }), ctx);
    await until(() => a1111.current() === handle.id, "the render to start");
    const interruptsBefore = a1111.interrupts().length;
    const { providers: afterRestart } = await setUp({ A1111_URLS: a1111.url });
    const resumed = afterRestart.get("a1111:sd_xl_base_1.0") as A1111Provider;
    const lost = await rejection(resumed.wait(handle, params(), ctx));
    expect(lost).toBeInstanceOf(RemoteLostError);
    expect(a1111.interrupts().length - interruptsBefore).toBe(1);
    a1111.release();
    const again = await resumed.submit(params(), ctx);
    expect((await resumed.wait(again, params(), ctx)).files).toHaveLength(1);
    expect(a1111.rendersFor(ctx.jobId)).toBe(2);
  });
});

describe("an orphan on an A1111 without the web UI", () => {
  it("is not interrupted: without /internal/progress nothing says the running render is the orphan", async () => {
    const bare = await startFakeA1111({ stepMs: 1, webUi: false });
    try {
      bare.hold();
      const ctx = recordingContext(newJob());
      const first = (await setUp({ A1111_URLS: bare.url })).providers.get("a1111:sd_xl_base_1.0") as A1111Provider;
      const handle = await first.submit(params({ steps: 20 }), ctx);
      await until(() => bare.current() === handle.id, "the render to start");
      const second = (await setUp({ A1111_URLS: bare.url })).providers.get("a1111:sd_xl_base_1.0") as A1111Provider;
      expect(await rejection(second.wait(handle, params(), ctx))).toBeInstanceOf(RemoteLostError);
      expect(bare.interrupts()).toHaveLength(0);
    } finally {
      bare.release();
      await bare.close();
    }
  });
});

describe("A1111 with --api-auth and several instances", () => {
  it("sends A1111_API_AUTH as Basic credentials, and refuses to start on wrong ones", async () => {
    const guarded = await startFakeA1111({ stepMs: 1, apiAuth: "sorami:s3cret" });
    try {
      const ok = await setUp({ A1111_URLS: guarded.url, A1111_API_AUTH: "sorami:s3cret" });
      const provider = ok.providers.get("a1111:v1-5-pruned-emaonly") as A1111Provider;
      const ctx = recordingContext(newJob());
      expect((await provider.wait(await provider.submit(params(), ctx), params(), ctx)).files).toHaveLength(1);
      const refused = await rejection(setUp({ A1111_URLS: guarded.url, A1111_API_AUTH: "sorami:nope" }));
      expect((refused as ProviderError).kind).toBe("invalid_request");
      expect(refused.message).toContain("refused Sorami's credentials (HTTP 401)");
      expect(refused.message).toContain("A1111_API_AUTH");
    } finally {
      await guarded.close();
    }
  });

  it("says to start A1111 with --api when its API is not there", async () => {
    const noApi = await startFakeServer(() => ({ status: 404, json: { detail: "Not Found" } }));
    try {
      const refused = await rejection(setUp({ A1111_URLS: noApi.url }));
      expect((refused as ProviderError).kind).toBe("invalid_request");
      expect(refused.message).toContain(
        "has no API (HTTP 404 on /sdapi/v1/sd-models); the operator should start it with --api",
      );
    } finally {
      await noApi.close();
    }
  });

  it("renders on an instance that has the checkpoint, and says which is missing when none has", async () => {
    const other = await startFakeA1111({ stepMs: 1, checkpoints: ["dreamshaper_8"] });
    try {
      const pool = new A1111Pool(a1111InstancesFromEnv({ A1111_URLS: `${other.url},${a1111.url}` }));
      expect((await pool.pick("sd_xl_base_1.0", new AbortController().signal)).client.instance.name).toBe(a1111.url);
      const missing = await rejection(pool.pick("flux1-dev", new AbortController().signal));
      expect((missing as ProviderError).kind).toBe("invalid_request");
      expect(missing.message).toContain(`${other.url} has no checkpoint "flux1-dev"`);
    } finally {
      await other.close();
    }
  });
});
