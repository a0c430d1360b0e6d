import { BUILT_IN_MODELS, type CatalogEntry, type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../../../../e2e/support/fakes/openai";
import { createOpenAIClient, OpenAIImageProvider } from "./openai-image";
import { ProviderError } from "./types";

const builtIn = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as CatalogEntry;

/** The real `openai` SDK against a local server speaking the OpenAI Images REST format. */
let openai: FakeOpenAI;
let provider: OpenAIImageProvider;
const FAST = { attempts: 3, baseMs: 10, maxWaitMs: 10_000 };

beforeAll(async () => {
  openai = await startFakeOpenAI();
  provider = new OpenAIImageProvider(
    createOpenAIClient({ apiKey: openai.apiKey, baseUrl: `${openai.url}/v1` }),
    builtIn("gpt-image-1"),
    FAST,
  );
});
afterAll(async () => openai?.close());

const params = (over: Partial<ImageParams>): ImageParams =>
  imageParamsSchema.parse({ prompt: "a red fox", size: "1024x1024", ...over });
const ctx = () => ({ jobId: "j", attempt: 1, signal: new AbortController().signal });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("OpenAI image provider", () => {
  it("asks for all images in one call, in the native size and format, and keeps the token usage", async () => {
    const out = await provider.generate(params({ num_images: 2, size: "1536x1024", format: "JPEG" }), ctx());
    const [call] = openai.generations().slice(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${openai.apiKey}`);
    expect(call?.body).toMatchObject({
      model: "gpt-image-1",
      n: 2,
      size: "1536x1024",
      quality: "high",
      output_format: "jpeg",
    });
    expect(call?.body).not.toHaveProperty("response_format");
    expect(out.files).toHaveLength(2);
    for (const file of out.files) {
      const meta = await sharp(file.data).metadata();
      expect([meta.format, meta.width, meta.height, file.ext]).toEqual(["jpeg", 1536, 1024, "jpg"]);
    }
    expect(out.metadata).toMatchObject({ input_tokens: 20, output_tokens: 8320, total_tokens: 8340 });
  });

  it("refuses sizes and input images it cannot serve before calling OpenAI", async () => {
    const before = openai.generations().length;
    expect((await failure(provider.generate(params({ size: "512x512" }), ctx()))).kind).toBe("invalid_request");
    const withInput = params({ input_image_url: "https://example.com/a.png" });
    expect((await failure(provider.generate(withInput, ctx()))).message).toContain("input_image_url");
    expect(openai.generations().length).toBe(before);
  });

  it("reports the safety system's refusal as blocked content", async () => {
    const e = await failure(provider.generate(params({ prompt: "something [moderation]" }), ctx()));
    expect([e.kind, e.retryable]).toEqual(["content_blocked", false]);
    expect(e.message).toContain("rejected as a result of our safety system");
  });

  it("honours Retry-After on a 429, then succeeds; hands repeated 500s to the queue", async () => {
    const before = openai.generations().length;
    expect((await provider.generate(params({ prompt: "busy [429]" }), ctx())).files).toHaveLength(1);
    expect(openai.generations().length - before).toBe(2);
    const e = await failure(provider.generate(params({ prompt: "down [500]" }), ctx()));
    expect([e.kind, e.retryable]).toEqual(["transient", true]);
    expect(openai.generations().length - before).toBe(2 + FAST.attempts);
  });

  it("tells the operator to check the key when OpenAI refuses it", async () => {
    const wrong = new OpenAIImageProvider(
      createOpenAIClient({ apiKey: "sk-wrong", baseUrl: `${openai.url}/v1` }),
      builtIn("gpt-image-1"),
      FAST,
    );
    const e = await failure(wrong.generate(params({}), ctx()));
    expect(e.kind).toBe("invalid_request");
    expect(e.message).toContain("OPENAI_API_KEY");
  });
});
