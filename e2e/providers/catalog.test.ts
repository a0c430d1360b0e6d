import { BUILT_IN_MODELS } from "@sorami/contracts";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, shot, signUpThroughForm, waitInPage } from "../support/browser";
import { api, signUp, type TestUser, waitFor } from "../support/client";
import { type FakeFal, startFakeFal } from "../support/fakes/fal";
import { type FakeGoogle, startFakeGoogle } from "../support/fakes/google";
import { type FakeOpenAI, startFakeOpenAI } from "../support/fakes/openai";
import { type FakeReplicate, startFakeReplicate } from "../support/fakes/replicate";
import { parseMp4 } from "../support/mp4";
import { type Stack, startStack } from "../support/stack";

/**
 * The whole system with several providers active at once: local, Gemini and
 * Veo (the Google stand-in), OpenAI, fal and Replicate (their stand-ins,
 * driven by the vendors' official clients). One job on every model, files
 * decoded, and `model` / `provider` checked wherever a job is shown.
 */
let google: FakeGoogle;
let openai: FakeOpenAI;
let fal: FakeFal;
let replicate: FakeReplicate;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  [google, openai, fal, replicate] = await Promise.all([
    startFakeGoogle(),
    startFakeOpenAI(),
    startFakeFal(),
    startFakeReplicate(),
  ]);
  stack = await startStack({
    env: {
      GEMINI_API_KEY: google.apiKey,
      GOOGLE_GEMINI_BASE_URL: google.url,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: `${openai.url}/v1`,
      FAL_KEY: fal.key,
      FAL_BASE_URL: fal.url,
      REPLICATE_API_TOKEN: replicate.token,
      REPLICATE_BASE_URL: `${replicate.url}/v1`,
      LOCAL_PROVIDER_DELAY_MS: "0",
    },
  });
  user = await signUp(stack.webUrl, "Catalog User");
  call = api(stack.webUrl, user.token);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([google?.close(), openai?.close(), fal?.close(), replicate?.close()]);
});

/** Every built-in model whose provider has a key here (BFL has none: its models stay out). */
const ACTIVE = BUILT_IN_MODELS.filter((e) => e.provider !== "bfl");

type Case = { model: string; kind: "images" | "videos"; body: Record<string, unknown>; expect: [number, number] };
const CASES: Case[] = [
  { model: "local-image-v1", kind: "images", body: { size: "512x512" }, expect: [512, 512] },
  { model: "gemini-2.5-flash-image", kind: "images", body: { size: "768x768", format: "JPEG" }, expect: [768, 768] },
  { model: "gpt-image-1", kind: "images", body: { size: "1024x1024", format: "WEBP" }, expect: [1024, 1024] },
  { model: "fal-ai/flux/schnell", kind: "images", body: { size: "256x256", seed: 7, steps: 2 }, expect: [256, 256] },
  { model: "fal-ai/flux/dev", kind: "images", body: { size: "512x512", guidance: 4.5 }, expect: [512, 512] },
  {
    model: "replicate:black-forest-labs/flux-schnell",
    kind: "images",
    body: { size: "1024x768", num_images: 2 },
    expect: [1024, 768],
  },
  {
    model: "replicate:black-forest-labs/flux-1.1-pro",
    kind: "images",
    body: { size: "1024x1024", format: "PNG" },
    expect: [1024, 1024],
  },
  { model: "local-video-v1", kind: "videos", body: { duration_seconds: 1, aspect_ratio: "1:1" }, expect: [720, 720] },
  { model: "veo-3.1-generate-preview", kind: "videos", body: { duration_seconds: 4 }, expect: [1280, 720] },
  { model: "fal-ai/kling-video/v2/master/text-to-video", kind: "videos", body: {}, expect: [320, 180] },
  { model: "replicate:minimax/video-01", kind: "videos", body: {}, expect: [320, 180] },
];

async function finish(kind: "images" | "videos", jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data.status) ? r.data : null;
    },
    `${kind} job ${jobId}`,
    240_000,
  );
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(`${stack.webUrl}${url}`, { headers: { authorization: `Bearer ${user.token}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe("the active catalog", () => {
  it("lists every model whose provider has a key, with its capabilities, and the defaults", async () => {
    const r = await call("GET", "/api/models");
    expect(r.status).toBe(200);
    const models = r.data.models;
    expect(models.map((m) => m.id).sort()).toEqual(ACTIVE.map((e) => e.id).sort());
    for (const entry of ACTIVE) {
      const view = models.find((m) => m.id === entry.id);
      expect(view, entry.id).toMatchObject({ kind: entry.kind, provider: entry.provider, label: entry.label });
      expect(view?.capabilities, entry.id).toEqual(entry.capabilities);
      expect(view, entry.id).not.toHaveProperty("options");
    }
    expect(models.filter((m) => m.default).map((m) => m.id)).toEqual(["local-image-v1", "local-video-v1"]);
    expect((await call("GET", "/api/providers")).data.image).toEqual({
      name: "local",
      label: "Local (offline, not AI)",
      model: "local-image-v1",
    });
  });
});

describe("one job on each model", () => {
  it("runs every model at once, each on its own provider, and says so everywhere", async () => {
    const submitted = await Promise.all(
      CASES.map(async (c) => {
        const r = await call("POST", `/api/${c.kind}/generate`, {
          prompt: `a harbour, by ${c.model}`,
          model: c.model,
          ...c.body,
        });
        expect(r.status, `${c.model}: ${r.text}`).toBe(202);
        return { ...c, jobId: r.data.job_id };
      }),
    );
    for (const job of submitted) {
      const provider = ACTIVE.find((e) => e.id === job.model)?.provider;
      const status = await finish(job.kind, job.jobId);
      expect([job.model, status.status, status.error]).toEqual([job.model, "COMPLETED", null]);
      expect(status).toMatchObject({ model: job.model, provider });

      const result = (await call("GET", `/api/${job.kind}/${job.jobId}/result`)).data;
      expect(result).toMatchObject({ model: job.model, provider });
      // The webhook's metadata.model_name carried it (document 000's field).
      expect(result.metadata.provider).toMatchObject({ model_name: job.model, provider });
      const files = "images" in result ? result.images : result.videos;
      expect(files.length, job.model).toBeGreaterThan(0);
      for (const file of files) {
        const bytes = await download(file.url);
        if (job.kind === "images") {
          const meta = await sharp(bytes).metadata();
          expect([job.model, meta.width, meta.height]).toEqual([job.model, ...job.expect]);
          expect(meta.format).toBe({ PNG: "png", JPEG: "jpeg", WEBP: "webp" }[file.format as "PNG"]);
        } else {
          const mp4 = parseMp4(bytes);
          expect([job.model, mp4.width, mp4.height, mp4.codec]).toEqual([job.model, ...job.expect, "avc1"]);
        }
      }
      const detail = (await call("GET", `/api/${job.kind}/${job.jobId}`)).data;
      expect(detail).toMatchObject({ model: job.model, provider, requested_model: job.model, fallbacks: [] });
    }

    // Each vendor got exactly the jobs of its own models.
    expect(
      fal
        .submitted()
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/fal-ai/flux/dev", "/fal-ai/flux/schnell", "/fal-ai/kling-video/v2/master/text-to-video"]);
    expect(
      replicate
        .creates()
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      "/v1/models/black-forest-labs/flux-1.1-pro/predictions",
      "/v1/models/black-forest-labs/flux-schnell/predictions",
      "/v1/models/minimax/video-01/predictions",
    ]);
    expect(openai.generations()).toHaveLength(1);
    expect(google.calls("predictLongRunning")).toHaveLength(1);
    expect(google.calls("generateContent")).toHaveLength(1);
    // The hosted models got their own knobs under their own names.
    expect(fal.submitted().find((r) => r.path === "/fal-ai/flux/schnell")?.body).toMatchObject({
      seed: 7,
      num_inference_steps: 2,
    });
    expect(fal.submitted().find((r) => r.path === "/fal-ai/flux/dev")?.body).toMatchObject({ guidance_scale: 4.5 });
    expect(fal.submitted().find((r) => r.path.includes("kling"))?.body).toMatchObject({ duration: "5" });

    // A gallery filtered by model shows that model's jobs only, with their model.
    const byModel = (await call("GET", `/api/images/user?model=${encodeURIComponent("fal-ai/flux/dev")}`)).data;
    expect(byModel.generations.map((g) => g.model)).toEqual(["fal-ai/flux/dev"]);
    const all = (await call("GET", "/api/videos/user?limit=100")).data;
    expect(all.generations.map((g) => g.model).sort()).toEqual(
      CASES.filter((c) => c.kind === "videos")
        .map((c) => c.model)
        .sort(),
    );
  }, 400_000);
});

describe("refusals from the catalog", () => {
  it("answers 422 naming the field and the allowed values for what the chosen model cannot serve", async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        "images",
        { model: "gpt-image-1", size: "512x512" },
        "size",
        "size 512x512 is not supported by gpt-image-1; allowed: 1024x1024, 1536x1024, 1024x1536",
      ],
      [
        "videos",
        { model: "fal-ai/kling-video/v2/master/text-to-video", duration_seconds: 8 },
        "duration_seconds",
        "duration_seconds must be one of 5, 10 for fal-ai/kling-video/v2/master/text-to-video",
      ],
      ["images", { model: "local-image-v1", seed: 3 }, "seed", "seed is not supported by local-image-v1"],
      ["images", { model: "fal-ai/flux/schnell", steps: 20 }, "steps", "steps must be 1-12 for fal-ai/flux/schnell"],
      ["images", { model: "bfl:flux-dev" }, "model", "model bfl:flux-dev is not an active image model"],
      ["videos", { model: "gpt-image-1" }, "model", "model gpt-image-1 is an image model"],
    ];
    for (const [kind, body, field, message] of cases) {
      const r = await call("POST", `/api/${kind}/generate`, { prompt: "x", ...body });
      expect([JSON.stringify(body), r.status, r.error.field]).toEqual([JSON.stringify(body), 422, field]);
      expect(r.error.message).toContain(message);
    }
    const unknownFilter = await call("GET", "/api/images/user?model=no-such-model");
    expect([unknownFilter.status, unknownFilter.error.field]).toEqual([400, "model"]);
  });

  it("fills what a submission leaves out from the chosen model (Kling's 5 s, MiniMax's 6 s)", async () => {
    for (const [model, seconds] of [
      ["fal-ai/kling-video/v2/master/text-to-video", 5],
      ["replicate:minimax/video-01", 6],
    ] as const) {
      const r = await call("POST", "/api/videos/generate", { prompt: `defaults of ${model}`, model });
      expect(r.status, r.text).toBe(202);
      const detail = (await call("GET", `/api/videos/${r.data.job_id}`)).data;
      expect(detail.params).toMatchObject({ model, duration_seconds: seconds, aspect_ratio: "16:9" });
      await finish("videos", r.data.job_id);
    }
  }, 240_000);
});

describe("the model picker in the browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  it("follows the chosen model's capabilities, runs the job on it, and shows it on the result and in the gallery", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await signUpThroughForm(page, stack.webUrl);

    const picker = page.getByTestId("model");
    await picker.waitFor({ timeout: 30_000 });
    // The default is preselected; the local model has no seed or steps.
    expect(await picker.inputValue()).toBe("local-image-v1");
    expect(await page.getByTestId("seed").count()).toBe(0);
    // Grouped by provider.
    expect(await picker.locator("optgroup").evaluateAll((g) => g.map((x) => x.getAttribute("label")))).toEqual([
      "Local",
      "Google Gemini",
      "OpenAI",
      "fal",
      "Replicate",
    ]);

    // OpenAI: three sizes, no input image.
    await picker.selectOption("gpt-image-1");
    expect(await page.getByTestId("size").locator("option").count()).toBe(3);
    expect(await page.getByTestId("input-image-url").count()).toBe(0);

    // fal's FLUX schnell: seed and steps appear, with its bounds.
    await picker.selectOption("fal-ai/flux/schnell");
    await page.getByTestId("steps").waitFor();
    expect(await page.getByTestId("steps").getAttribute("max")).toBe("12");
    expect(await page.getByTestId("size").locator("option").count()).toBe(14);
    await page.screenshot({ path: shot("model-picker"), fullPage: true, animations: "disabled" });

    const prompt = "A lantern festival over a river, picked model";
    await page.getByTestId("prompt").fill(prompt);
    await page.getByTestId("size").selectOption("512x512");
    await page.getByTestId("seed").fill("1234");
    await page.getByTestId("steps").fill("3");
    await page.getByTestId("generate-submit").click();
    await waitInPage(
      page,
      "the job completed on fal, its image loaded and its model named",
      () =>
        document.querySelector('[data-testid="job-status"]')?.textContent === "COMPLETED" &&
        Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="result-image"]')).some(
          (img) => img.complete && img.naturalWidth > 0,
        ) &&
        (document.querySelector('[data-testid="served-by"]')?.textContent ?? "").includes("FLUX.1 [schnell] (fal)"),
      90_000,
    );
    const sent = fal.submitted().find((r) => String(r.body.prompt ?? "").startsWith(prompt));
    expect(sent?.body).toMatchObject({ seed: 1234, num_inference_steps: 3, image_size: { width: 512, height: 512 } });

    // The gallery names the model, and filters by it.
    await page.goto(`${stack.webUrl}/gallery`);
    const item = page.getByTestId("gallery-item").filter({ hasText: prompt });
    await item.waitFor({ timeout: 30_000 });
    expect(await item.getByTestId("gallery-item-model").textContent()).toBe("FLUX.1 [schnell] (fal)");
    await page.getByTestId("gallery-model").selectOption("fal-ai/flux/schnell");
    await page.waitForURL(/model=fal-ai%2Fflux%2Fschnell/);
    await page.getByTestId("gallery-item").first().waitFor();
    const models = await page.getByTestId("gallery-item-model").allTextContents();
    expect(new Set(models)).toEqual(new Set(["FLUX.1 [schnell] (fal)"]));
    await page.screenshot({ path: shot("gallery-by-model"), fullPage: true, animations: "disabled" });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
