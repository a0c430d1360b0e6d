import { catalogEntrySchema, type ImageParams, imageParamsSchema } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCompatible, startFakeCompatible } from "../../../../e2e/support/fakes/openai-compatible";
import { createCompatibleClient, OpenAICompatibleProvider } from "./openai-compatible";
import { context, FAST_RETRY, failure } from "./remote-test-kit";

/** The real `openai` SDK against two local OpenAI-compatible servers at once (one with a key, one without). */
let localai: FakeCompatible;
let gateway: FakeCompatible;

const entry = (id: string, server: string, model: string, response_format?: "b64_json" | "url") =>
  catalogEntrySchema.parse({
    id,
    kind: "image",
    provider: "openai-compatible",
    label: id,
    capabilities: {
      sizes: ["512x512", "256x256"],
      formats: ["PNG", "JPEG"],
      num_images: { min: 1, max: 2 },
      input_image: "none",
    },
    options: { server, model, ...(response_format ? { response_format } : {}) },
  });

let previousKey: string | undefined;
beforeAll(async () => {
  localai = await startFakeCompatible({ models: ["stablediffusion"] });
  gateway = await startFakeCompatible({ key: "gw-secret", models: ["flux-dev"] });
  previousKey = process.env.OPENAI_API_KEY;
  // What a deployment with the built-in OpenAI provider has: it must never reach another server.
  process.env.OPENAI_API_KEY = "sk-must-not-leak";
});
afterAll(async () => {
  process.env.OPENAI_API_KEY = previousKey;
  await localai?.close();
  await gateway?.close();
});

const servers = () => ({
  localai: { name: "localai", baseUrl: localai.url },
  gateway: { name: "gateway", baseUrl: `${gateway.url}/v1`, apiKey: "gw-secret", keyVariable: "GATEWAY_KEY" },
});
const make = (
  server: "localai" | "gateway",
  e = entry(`${server}-model`, server, server === "localai" ? "stablediffusion" : "flux-dev"),
) => new OpenAICompatibleProvider(createCompatibleClient(servers()[server]), servers()[server], e, FAST_RETRY);
const params = (over: Partial<ImageParams> = {}) =>
  imageParamsSchema.parse({ prompt: "a cat", size: "256x256", ...over });

describe("OpenAI-compatible servers", () => {
  it("serves two servers at once: b64_json from one, URLs downloaded from the other", async () => {
    const b64 = make("localai", entry("localai-sd", "localai", "stablediffusion", "b64_json"));
    const urls = make("gateway");
    const [a, b] = await Promise.all([
      b64.generate(params({ num_images: 2 }), context().ctx),
      urls.generate(params({ size: "512x512", format: "JPEG" }), context().ctx),
    ]);
    expect(a.files.map((f) => [f.format, f.width, f.height])).toEqual([
      ["PNG", 256, 256],
      ["PNG", 256, 256],
    ]);
    expect(b.files[0]).toMatchObject({ format: "JPEG", width: 512, height: 512 });
    expect((await sharp(b.files[0]?.data).metadata()).format).toBe("jpeg");
    expect(localai.generations()[0]?.body).toEqual({
      model: "stablediffusion",
      prompt: "a cat",
      n: 2,
      size: "256x256",
      response_format: "b64_json",
    });
    expect(localai.generations()[0]?.headers.authorization).toBeUndefined();
    expect(localai.generations()[0]?.headers["openai-organization"]).toBeUndefined();
    expect(gateway.generations()[0]?.headers.authorization).toBe("Bearer gw-secret");
    expect(gateway.requests.filter((r) => r.path.startsWith("/files/"))).toHaveLength(1);
    expect(a.metadata).toEqual({ provider: "openai-compatible", model_name: "localai-sd", server: "localai" });
  });

  it("maps the server's errors with its name and key variable", async () => {
    const e = await failure(make("gateway").generate(params({ prompt: "x [moderation]" }), context().ctx));
    expect([e.kind, e.message]).toEqual([
      "content_blocked",
      "The prompt was blocked by the gateway server's safety system: Your request was rejected by the safety system.",
    ]);
    expect((await make("gateway").generate(params({ prompt: "x [429]" }), context().ctx)).files).toHaveLength(1);
    const down = await failure(make("localai").generate(params({ prompt: "x [500]" }), context().ctx));
    expect([down.kind, down.message]).toEqual([
      "transient",
      "The localai server had a temporary error (HTTP 500): The server had an error while processing your request.",
    ]);
    const wrongKey = new OpenAICompatibleProvider(
      createCompatibleClient({ ...servers().gateway, apiKey: "nope" }),
      servers().gateway,
      entry("g", "gateway", "flux-dev"),
      FAST_RETRY,
    );
    expect((await failure(wrongKey.generate(params(), context().ctx))).message).toMatch(
      /^The gateway server refused Sorami's API key \(HTTP 401\); the operator should check GATEWAY_KEY\./,
    );
  });

  it("refuses a URL answer on another private address, and sizes outside the entry", async () => {
    const e = await failure(make("gateway").generate(params({ prompt: "x [private-url]" }), context().ctx));
    expect(e.message).toBe(
      "The gateway server's output URL points to 10.0.0.7 (private address); Sorami fetches files from public addresses only.",
    );
    const before = localai.generations().length;
    expect((await failure(make("localai").generate(params({ size: "1024x1024" }), context().ctx))).kind).toBe(
      "invalid_request",
    );
    expect(localai.generations().length).toBe(before);
  });
});
