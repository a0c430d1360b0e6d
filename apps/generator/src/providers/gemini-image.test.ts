import { BUILT_IN_MODELS, type CatalogEntry, type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "../../../../e2e/support/fakes/google";
import { GeminiImageProvider } from "./gemini-image";
import { createGoogleClient } from "./google";
import type { RetryPolicy } from "./retry";
import { ProviderError } from "./types";

const builtIn = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;

/** The real @google/genai SDK against a local server speaking the Gemini API's REST format. */
let google: FakeGoogle;
let provider: GeminiImageProvider;
/** Short waits so the retry paths run quickly; a provider-given delay (RetryInfo) is still honoured. */
const FAST: RetryPolicy = { attempts: 3, baseMs: 10, maxWaitMs: 10_000 };

beforeAll(async () => {
  google = await startFakeGoogle();
  provider = new GeminiImageProvider(
    createGoogleClient({ apiKey: google.apiKey, baseUrl: google.url }),
    builtIn("gemini-2.5-flash-image"),
    FAST,
  );
});
afterAll(async () => google?.close());

const params = (over: Partial<ImageParams>): ImageParams =>
  imageParamsSchema.parse({ prompt: "a lighthouse", ...over });
const ctx = (inputImage?: Buffer) => ({ jobId: "j", attempt: 1, signal: new AbortController().signal, inputImage });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Gemini image provider", () => {
  it("makes one call per image at the nearest aspect ratio, and returns the requested size and format", async () => {
    const before = google.calls("generateContent").length;
    const out = await provider.generate(params({ num_images: 2, size: "1280x720", format: "WEBP" }), ctx());
    const calls = google.calls("generateContent").slice(before);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
      expect(call.body.generationConfig).toEqual({
        responseModalities: ["TEXT", "IMAGE"],
        imageConfig: { aspectRatio: "16:9" },
      });
      expect(call.body.contents[0]?.parts[0]?.text).toContain("a lighthouse");
    }
    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      const meta = await sharp(file.data).metadata();
      expect([meta.format, meta.width, meta.height, file.ext]).toEqual(["webp", 1280, 720, "webp"]);
    }
    expect(out.metadata).toMatchObject({
      aspect_ratio: "16:9",
      model_size: "1344x768",
      input_tokens: 24,
      output_tokens: 2580,
      total_tokens: 2604,
    });
  });

  it("sends an input image as inlineData with its real type", async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } })
      .jpeg()
      .toBuffer();
    await provider.generate(params({ size: "768x1024" }), ctx(jpeg));
    const [call] = google.calls("generateContent").slice(-1);
    expect(call?.body.generationConfig?.imageConfig).toEqual({ aspectRatio: "3:4" });
    expect(call?.body.contents[0]?.parts[1]).toEqual({
      inlineData: { mimeType: "image/jpeg", data: jpeg.toString("base64") },
    });
  });

  it.each([
    ["[text-only]", "no_output", /answered with text instead of an image \(STOP\): “I can describe a lighthouse/],
    ["[no-image]", "no_output", /returned no image \(NO_IMAGE\)/],
    ["[safety]", "content_blocked", /prompt was blocked by Gemini's safety filters \(SAFETY\)/],
    ["[image-safety]", "content_blocked", /image was blocked by Gemini's safety filters \(IMAGE_SAFETY\)/],
  ])("fails %s with a reason a user can read", async (marker, kind, message) => {
    const e = await failure(provider.generate(params({ prompt: `a lighthouse ${marker}` }), ctx()));
    expect(e.kind).toBe(kind);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(message);
  });

  it("waits out a 429 for the delay its RetryInfo names, then succeeds", async () => {
    const before = google.calls("generateContent").length;
    const out = await provider.generate(params({ prompt: "busy [429]", size: "256x256" }), ctx());
    expect(out.files).toHaveLength(1);
    expect(google.calls("generateContent").length - before).toBe(2);
  });

  it("gives a 500 a few tries, then hands it to the queue as transient", async () => {
    const before = google.calls("generateContent").length;
    const e = await failure(provider.generate(params({ prompt: "broken [500]" }), ctx()));
    expect([e.kind, e.retryable]).toEqual(["transient", true]);
    expect(e.message).toContain("HTTP 500");
    expect(google.calls("generateContent").length - before).toBe(FAST.attempts);
  });

  it("hands a rate limit longer than it may wait to the queue at once, with Google's delay", async () => {
    const strict = new GeminiImageProvider(
      createGoogleClient({ apiKey: google.apiKey, baseUrl: google.url }),
      builtIn("gemini-2.5-flash-image"),
      { ...FAST, maxWaitMs: 500 },
    );
    const before = google.calls("generateContent").length;
    const e = await failure(strict.generate(params({ prompt: "queue me [429]" }), ctx()));
    expect([e.kind, e.retryAfterMs]).toEqual(["rate_limit", 1000]);
    expect(google.calls("generateContent").length - before).toBe(1);
  });

  it("tells the operator to check the key when Google refuses it", async () => {
    const wrong = new GeminiImageProvider(
      createGoogleClient({ apiKey: "wrong", baseUrl: google.url }),
      builtIn("gemini-2.5-flash-image"),
      FAST,
    );
    const e = await failure(wrong.generate(params({}), ctx()));
    expect([e.kind, e.retryable]).toEqual(["invalid_request", false]);
    expect(e.message).toContain("GEMINI_API_KEY");
  });
});
