import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, signUpThroughForm } from "../support/browser";
import { api, fetchChecked, fetchGenerator, present, signUp, type TestUser, waitFor } from "../support/client";
import { type FakeGoogle, startFakeGoogle } from "../support/fakes/google";
import { type FakeServer, type Reply, startFakeServer } from "../support/fakes/server";
import { parseMp4 } from "../support/mp4";
import { type Stack, startStack } from "../support/stack";

/**
 * The whole system with IMAGE_PROVIDER=gemini and VIDEO_PROVIDER=veo, the
 * real @google/genai SDK talking to a local server that speaks the Gemini
 * API's REST format (prompt markers script its behaviour: see the fake).
 * Jobs go in through the web API; the tests look at what a user then sees.
 */
let google: FakeGoogle;
let pictures: FakeServer;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;
let picture: Buffer;

beforeAll(async () => {
  google = await startFakeGoogle();
  picture = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } })
    .png()
    .toBuffer();
  // An image server on this machine, which only the operator's allowlist lets the fetcher reach.
  pictures = await startFakeServer((_req, url): Reply => {
    if (url.pathname === "/cat.png") {
      return { status: 200, body: picture, headers: { "content-type": "image/png" } };
    }
    if (url.pathname === "/to-loopback") {
      return { status: 302, headers: { location: "http://127.0.0.1:9/secret.png" } };
    }
    return { status: 404 };
  });
  const picturesHost = new URL(pictures.url).host;
  stack = await startStack({
    env: {
      IMAGE_PROVIDER: "gemini",
      VIDEO_PROVIDER: "veo",
      GEMINI_API_KEY: google.apiKey,
      GOOGLE_GEMINI_BASE_URL: google.url,
      INPUT_IMAGE_ALLOWED_HOSTS: picturesHost,
      LOCAL_PROVIDER_DELAY_MS: "0",
    },
  });
  user = await signUp(stack.webUrl, "Gemini User");
  call = api(stack.webUrl, user.token);
});
afterAll(async () => {
  await stack?.stop();
  await google?.close();
  await pictures?.close();
});

type Kind = "images" | "videos";

async function submit(kind: Kind, body: Record<string, unknown>): Promise<string> {
  const r = await call("POST", `/api/${kind}/generate`, body);
  expect(r.status, JSON.stringify(r.json)).toBe(202);
  return r.data.job_id;
}

async function finish(kind: Kind, jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data?.status) ? r.data : null;
    },
    `${kind} job ${jobId}`,
    150_000,
  );
}

async function download(url: string | null): Promise<Buffer> {
  const res = await fetchChecked(`${stack.webUrl}${present(url, "a media URL")}`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const promptsSent = (marker: string) =>
  google.calls("generateContent").filter((r) => JSON.stringify(r.body.contents).includes(marker));

describe("Gemini 2.5 Flash Image, through the whole stack", () => {
  it("makes the requested number of images at the requested size and format, into the gallery, with token usage", async () => {
    const jobId = await submit("images", {
      prompt: "a lighthouse at dusk",
      num_images: 2,
      size: "1280x720",
      format: "JPEG",
      style: "watercolor",
    });
    expect(await finish("images", jobId)).toMatchObject({ status: "COMPLETED", error: null });
    const calls = promptsSent("a lighthouse at dusk");
    expect(calls).toHaveLength(2);
    expect(calls[0]?.body.generationConfig?.imageConfig).toEqual({ aspectRatio: "16:9" });
    expect(calls[0]?.headers["x-goog-api-key"]).toBe(google.apiKey);

    const result = (await call("GET", `/api/images/${jobId}/result`)).data;
    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      expect(image).toMatchObject({ format: "JPEG", width: 1280, height: 720 });
      const meta = await sharp(await download(image.url)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 1280, 720]);
    }
    expect(result.metadata.model).toBe("gemini-2.5-flash-image");
    expect(result.metadata.provider).toMatchObject({ provider: "gemini", input_tokens: 24, output_tokens: 2580 });
    const gallery = (await call("GET", "/api/images/user")).data;
    expect(gallery.generations.find((g: { job_id: string }) => g.job_id === jobId)?.images).toHaveLength(2);
  });

  it("sends an input image fetched from its URL as inlineData", async () => {
    const jobId = await submit("images", {
      prompt: "the same scene in snow",
      input_image_url: `${pictures.url}/cat.png`,
      size: "512x512",
    });
    expect((await finish("images", jobId)).status).toBe("COMPLETED");
    const [sent] = promptsSent("the same scene in snow");
    expect(sent?.body.contents[0]?.parts[1]).toEqual({
      inlineData: { mimeType: "image/png", data: picture.toString("base64") },
    });
  });

  it("fails jobs the model answers without an image, saying why", async () => {
    const cases = {
      "[text-only]": "Gemini answered with text instead of an image (STOP): “I can describe a lighthouse",
      "[safety]": "The prompt was blocked by Gemini's safety filters (SAFETY)",
      "[image-safety]": "The image was blocked by Gemini's safety filters (IMAGE_SAFETY)",
    };
    const jobs = await Promise.all(
      Object.keys(cases).map((marker) => submit("images", { prompt: `a lighthouse ${marker}`, size: "256x256" })),
    );
    for (const [i, expected] of Object.values(cases).entries()) {
      const status = await finish("images", jobs[i] ?? "");
      expect(status.status).toBe("FAILED");
      expect(status.error).toContain(expected);
    }
  });

  it("waits out a 429 and completes; gives up on a model that keeps failing, with the reason", async () => {
    const [busy, broken] = await Promise.all([
      submit("images", { prompt: "busy lighthouse [429]", size: "256x256" }),
      submit("images", { prompt: "broken lighthouse [500]", size: "256x256" }),
    ]);
    expect((await finish("images", busy)).status).toBe("COMPLETED");
    expect(promptsSent("busy lighthouse [429]")).toHaveLength(2);
    const failed = await finish("images", broken);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toContain("The Gemini API had a temporary error (HTTP 500)");
    // 4 runs of the job (the queue's backoff between them) × 3 attempts inside each run.
    expect(promptsSent("broken lighthouse [500]")).toHaveLength(12);
  });

  it("refuses private input image URLs: literal ones at submit (422), the rest when the job runs", async () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.8/a.png",
      "http://localhost:9/a.png",
    ]) {
      const r = await call("POST", "/api/images/generate", { prompt: "x", input_image_url: url });
      expect([r.status, r.error.field], url).toEqual([422, "input_image_url"]);
    }
    const jobId = await submit("images", { prompt: "redirected", input_image_url: `${pictures.url}/to-loopback` });
    const failed = await finish("images", jobId);
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toContain("redirects to 127.0.0.1 (loopback address)");
    expect(promptsSent("redirected")).toHaveLength(0);
  });
});

describe("Veo, through the whole stack", () => {
  it("starts an operation, polls it to the end and keeps the video, its poster and its length", async () => {
    const jobId = await submit("videos", {
      prompt: "a paper boat drifting [slow]",
      aspect_ratio: "9:16",
      duration_seconds: 6,
      input_image_base64: picture.toString("base64"),
    });
    expect(await finish("videos", jobId)).toMatchObject({ status: "COMPLETED", error: null });
    const [start] = google
      .calls("predictLongRunning")
      .filter((r) => r.body.instances[0]?.prompt?.includes("paper boat"));
    // person_generation was left out: the default for an image-to-video request is Veo's only mode, allow_adult.
    expect(start?.body.parameters).toMatchObject({
      aspectRatio: "9:16",
      durationSeconds: 6,
      sampleCount: 1,
      personGeneration: "allow_adult",
    });
    expect(start?.body.instances[0]?.image).toEqual({
      bytesBase64Encoded: picture.toString("base64"),
      mimeType: "image/png",
    });

    const result = (await call("GET", `/api/videos/${jobId}/result`)).data;
    expect(result.videos).toHaveLength(1);
    const video = present(result.videos[0], "the video");
    expect(video).toMatchObject({ format: "MP4", width: 720, height: 1280 });
    const mp4 = parseMp4(await download(video.url));
    expect([mp4.width, mp4.height, mp4.codec]).toEqual([720, 1280, "avc1"]);
    expect(mp4.durationSeconds).toBeCloseTo(6, 0);
    expect((await sharp(await download(video.poster_url)).metadata()).format).toBe("jpeg");
    expect(result.metadata.provider).toMatchObject({ provider: "veo", polls: 3 });
    const gallery = (await call("GET", "/api/videos/user")).data;
    expect(gallery.generations.map((g: { job_id: string }) => g.job_id)).toContain(jobId);
  });

  it("refuses what Veo cannot make with a 422 naming the allowed values, before any job exists", async () => {
    const before = google.calls("predictLongRunning").length;
    const refusals: [Record<string, unknown>, string, string][] = [
      [{ aspect_ratio: "1:1" }, "aspect_ratio", "allowed: 16:9, 9:16"],
      [{ duration_seconds: 5 }, "duration_seconds", "one of 4, 6, 8"],
      [{ number_of_videos: 2 }, "number_of_videos", "must be 1"],
      [{ person_generation: "ALLOW_ADULT" }, "person_generation", "without an input image; allowed: ALLOW_ALL"],
      [
        { person_generation: "ALLOW_ALL", input_image_base64: picture.toString("base64") },
        "person_generation",
        "with an input image; allowed: ALLOW_ADULT",
      ],
    ];
    for (const [body, field, message] of refusals) {
      const r = await call("POST", "/api/videos/generate", { prompt: "a boat", ...body });
      expect([r.status, r.error.field], field).toEqual([422, field]);
      expect(r.error.message).toContain(message);
    }
    expect(google.calls("predictLongRunning").length).toBe(before);
  });

  it("fails an operation that ends without a video, saying why", async () => {
    const cases = {
      "[zero]": "Veo finished without a video and gave no reason",
      "[safety]": "The video was blocked by Veo's safety filters: Your current safety settings",
      "[op-error]": "The video model refused the request: The prompt could not be processed.",
    };
    const jobs = await Promise.all(
      Object.keys(cases).map((marker) => submit("videos", { prompt: `a boat ${marker}`, duration_seconds: 4 })),
    );
    for (const [i, expected] of Object.values(cases).entries()) {
      const status = await finish("videos", jobs[i] ?? "");
      expect(status.status).toBe("FAILED");
      expect(status.error).toContain(expected);
    }
  });
});

describe("which providers are active", () => {
  it("is said by both health endpoints and GET /api/providers", async () => {
    const expected = {
      image: { name: "gemini", label: "Gemini 2.5 Flash Image", model: "gemini-2.5-flash-image" },
      video: { name: "veo", label: "Google Veo 3.1", model: "veo-3.1-generate-preview" },
    };
    expect((await call("GET", "/api/providers")).json).toEqual(expected);
    expect((await api(stack.webUrl)("GET", "/api/providers")).status).toBe(401);
    expect((await (await fetchChecked(`${stack.webUrl}/api/health`)).json()).providers).toEqual(expected);
    expect((await (await fetchGenerator(`${stack.generatorUrl}/health`)).json()).providers).toEqual(expected);
  });

  it("shapes the forms: Gemini takes an input URL and every size; Veo offers only its ratios, lengths and modes", async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await signUpThroughForm(page, stack.webUrl);
      await expect(page.locator(`[data-testid="model"] option:checked`).textContent()).resolves.toContain(
        "Gemini 2.5 Flash Image",
      );
      expect(await page.getByTestId("input-image-url").count()).toBe(1);
      expect(await page.locator('[data-testid="size"] option').count()).toBe(14);

      await page.goto(`${stack.webUrl}/generate-videos`);
      await expect(page.locator(`[data-testid="model"] option:checked`).textContent()).resolves.toContain(
        "Google Veo 3.1",
      );
      const options = (id: string) => page.locator(`[data-testid="${id}"] option`).allTextContents();
      expect(await options("aspect-ratio")).toEqual(["16:9 (landscape)", "9:16 (portrait)"]);
      expect(await options("duration")).toEqual(["4 seconds", "6 seconds", "8 seconds"]);
      expect(await options("number-of-videos")).toEqual(["1"]);
      expect(await options("person-generation")).toEqual(["Any age"]);
      await page.getByTestId("input-image-url").fill("https://example.com/start.png");
      expect(await options("person-generation")).toEqual(["Adults only"]);
    } finally {
      await browser.close();
    }
  });
});
