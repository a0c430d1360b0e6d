import { BUILT_IN_MODELS, type CatalogEntry, type VideoParams, videoParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "../../../../e2e/support/fakes/google";
import { createGoogleClient } from "./google";
import { runToCompletion } from "./remote";
import { ProviderError, type ProviderProgress, RemoteLostError } from "./types";
import { VeoProvider } from "./veo";

const builtIn = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;

/** The real @google/genai SDK against a local server speaking the Gemini API's Veo REST format. */
let google: FakeGoogle;
let provider: VeoProvider;
const FAST_POLL = { initialMs: 20, factor: 1.5, maxMs: 100, maxConsecutiveErrors: 3 };
const FAST_RETRY = { attempts: 3, baseMs: 10, maxWaitMs: 10_000 };

beforeAll(async () => {
  google = await startFakeGoogle();
  provider = new VeoProvider(
    createGoogleClient({ apiKey: google.apiKey, baseUrl: google.url }),
    builtIn("veo-3.1-generate-preview"),
    FAST_POLL,
    FAST_RETRY,
  );
});
afterAll(async () => google?.close());

const generate = (p: VideoParams, c: ReturnType<typeof ctx>) => runToCompletion(provider, p, c);
const params = (over: Partial<VideoParams>): VideoParams =>
  videoParamsSchema.parse({ prompt: "a paper boat", duration_seconds: 4, ...over });
const ctx = (inputImage?: Buffer) => ({ jobId: "j", attempt: 1, signal: new AbortController().signal, inputImage });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Veo provider", () => {
  it("starts an operation, polls it, downloads the video with the key and reads it", async () => {
    const png = await sharp({ create: { width: 16, height: 9, channels: 3, background: "#0af" } })
      .png()
      .toBuffer();
    const before = google.requests.length;
    const out = await generate(
      params({
        prompt: "a paper boat [slow]",
        aspect_ratio: "9:16",
        duration_seconds: 6,
        person_generation: "ALLOW_ADULT",
        negative_prompt: "blur",
      }),
      ctx(png),
    );
    const sent = google.requests.slice(before);
    const start = sent.find((r) => r.path.endsWith(":predictLongRunning"));
    expect(start?.path).toBe("/v1beta/models/veo-3.1-generate-preview:predictLongRunning");
    expect(start?.body).toEqual({
      instances: [
        { prompt: "a paper boat [slow]", image: { bytesBase64Encoded: png.toString("base64"), mimeType: "image/png" } },
      ],
      parameters: {
        sampleCount: 1,
        durationSeconds: 6,
        aspectRatio: "9:16",
        personGeneration: "allow_adult",
        negativePrompt: "blur",
      },
    });
    expect(sent.filter((r) => r.method === "GET" && r.path.includes("/operations/"))).toHaveLength(3);
    expect(sent.filter((r) => r.path.endsWith(":download"))).toHaveLength(1);
    expect(out.metadata).toMatchObject({ polls: 3, provider: "veo", model_name: "veo-3.1-generate-preview" });
    const [video] = out.files;
    expect(video).toMatchObject({ format: "MP4", ext: "mp4", width: 720, height: 1280 });
    expect(video?.durationSeconds).toBeCloseTo(6, 0);
    expect(video?.data.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect((await sharp(video?.poster?.data).metadata()).format).toBe("jpeg");
  });

  it("checks Veo's limits before calling Google", async () => {
    const before = google.requests.length;
    for (const bad of [
      params({ aspect_ratio: "1:1" }),
      params({ duration_seconds: 5 }),
      params({ number_of_videos: 2 }),
      params({ person_generation: "DONT_ALLOW" }),
    ]) {
      expect((await failure(generate(bad, ctx()))).kind).toBe("invalid_request");
    }
    expect(google.requests.length).toBe(before);
  });

  it.each([
    ["[zero]", "no_output", "Veo finished without a video and gave no reason"],
    [
      "[safety]",
      "content_blocked",
      "blocked by Veo's safety filters: Your current safety settings for person generation",
    ],
    ["[op-error]", "invalid_request", "The video model refused the request: The prompt could not be processed."],
  ])("fails an operation that ends %s with a reason a user can read", async (marker, kind, message) => {
    const e = await failure(generate(params({ prompt: `boat ${marker}` }), ctx()));
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(message);
  });

  it("retries a 429 on start after Google's delay; hands repeated 500s to the queue", async () => {
    expect((await generate(params({ prompt: "busy [429]" }), ctx())).files).toHaveLength(1);
    const e = await failure(generate(params({ prompt: "down [500]" }), ctx()));
    expect([e.kind, e.retryable]).toEqual(["transient", true]);
  });

  it("resumes on a stored operation name after a restart: one paid start, that operation's video", async () => {
    const p = params({ prompt: "a heron [slow]" });
    // The first generator submits, stores the handle and dies before waiting.
    const handle = await provider.submit(p, ctx());
    const stored = JSON.parse(JSON.stringify(handle));
    const again = new VeoProvider(
      createGoogleClient({ apiKey: google.apiKey, baseUrl: google.url }),
      builtIn("veo-3.1-generate-preview"),
      FAST_POLL,
      FAST_RETRY,
    );
    const progress: ProviderProgress[] = [];
    const out = await again.wait(stored, p, { ...ctx(), onProgress: (x) => progress.push(x) });
    const starts = google.calls("predictLongRunning").filter((r) => r.body.instances[0]?.prompt === "a heron [slow]");
    expect(starts).toHaveLength(1);
    expect(out.metadata.operation).toBe(handle.id);
    expect(out.files[0]?.data.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect(progress.map((x) => x.providerStatus)).toEqual(["running", "done"]);
    // Done already when resumed once more: collected on the first poll, nothing started.
    expect((await again.wait(stored, p, { ...ctx(), onProgress: () => {} })).metadata.polls).toBe(1);
    const lost = await again
      .wait({ id: "models/veo-3.1-generate-preview/operations/gone" }, p, { ...ctx(), onProgress: () => {} })
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RemoteLostError);
  });
});
