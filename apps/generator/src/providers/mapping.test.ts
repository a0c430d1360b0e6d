import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { aspectRatioOf, buildInput, fileRefsAt, valuesAt } from "./mapping";
import { percentFromLogs } from "./progress";
import { createRateGate } from "./rate-gate";
import { ProviderError } from "./types";

describe("buildInput", () => {
  it("renames, transforms and maps Sorami's parameters, over the fixed inputs", async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const input = buildInput(
      {
        prompt: "text",
        num_images: "num_outputs",
        size: { to: ["w", "h"], as: "width-height" },
        format: { to: "output_format", map: { PNG: "png", WEBP: "png" } },
        duration_seconds: { to: "duration", as: "string" },
        seed: "seed",
        input_image: { to: "image", as: "data-uri" },
        negative_prompt: "negative",
      },
      { safety: true, text: "overridden" },
      {
        prompt: "cat",
        num_images: 2,
        size: "1280x720",
        format: "WEBP",
        duration_seconds: 5,
        seed: 0,
        negative_prompt: "",
      },
      png,
    );
    expect(input).toEqual({
      safety: true,
      text: "cat",
      num_outputs: 2,
      w: 1280,
      h: 720,
      output_format: "png",
      duration: "5",
      seed: 0,
      image: `data:image/png;base64,${png.toString("base64")}`,
    });
    expect(buildInput({ size: { to: "s", as: "wh-object" } }, {}, { size: "512x768" })).toEqual({
      s: { width: 512, height: 768 },
    });
    expect(() => buildInput({ input_image: { to: "i", as: "base64" } }, {}, {}, Buffer.from("text"))).toThrow(
      ProviderError,
    );
  });

  it("reduces sizes to aspect ratios", () => {
    expect(["1280x720", "1024x768", "1024x1536", "512x512", "1080x1920"].map(aspectRatioOf)).toEqual([
      "16:9",
      "4:3",
      "2:3",
      "1:1",
      "9:16",
    ]);
  });
});

describe("output paths", () => {
  const answer = {
    images: [{ url: "https://cdn.example/a.png" }, { url: "data:image/png;base64,AAAA" }, { url: 12 }],
    video: { url: "https://cdn.example/v.mp4" },
    output: ["https://r.example/1.webp", "https://r.example/2.webp"],
    single: "https://r.example/one.png",
    has_nsfw_concepts: [false, true],
  };

  it("collects every value a path reaches, arrays flattened at the end", () => {
    expect(fileRefsAt(answer, "images[].url")).toEqual(["https://cdn.example/a.png", "data:image/png;base64,AAAA"]);
    expect(fileRefsAt(answer, "video.url")).toEqual(["https://cdn.example/v.mp4"]);
    expect(fileRefsAt(answer, "output[]")).toEqual(answer.output);
    expect(fileRefsAt(answer, "output")).toEqual(answer.output);
    expect(fileRefsAt(answer, "single")).toEqual([answer.single]);
    expect(valuesAt(answer, "has_nsfw_concepts[]")).toEqual([false, true]);
    expect(fileRefsAt(answer, "missing[].url")).toEqual([]);
    expect(fileRefsAt({ output: "javascript:alert(1)" }, "output")).toEqual([]);
  });
});

describe("percentFromLogs", () => {
  it("reads the last tqdm bar and nothing else", () => {
    expect(
      percentFromLogs(["Loading", " 10%|█         | 1/10 [00:01<00:09]", " 60%|██████    | 6/10 [00:03<00:02]"]),
    ).toBe(60);
    expect(percentFromLogs(["Loading", "step 3 of 10", "50% done"])).toBeUndefined();
    expect(percentFromLogs([])).toBeUndefined();
  });
});

describe("createRateGate", () => {
  it("answers calls during a vendor's Retry-After without the network, then lets them through", async () => {
    let now = 1_000;
    const calls: string[] = [];
    const base = (async (input: Parameters<typeof fetch>[0]) => {
      calls.push(String(input));
      return calls.length === 1
        ? new Response(JSON.stringify({ detail: "throttled" }), { status: 429, headers: { "retry-after": "2" } })
        : new Response("{}", { status: 200 });
    }) as typeof fetch;
    const gate = createRateGate(base, () => now);
    expect((await gate.fetch("https://api.test/a")).status).toBe(429);
    now += 1_500;
    const held = await gate.fetch("https://api.test/b");
    expect([held.status, held.headers.get("retry-after"), await held.json()]).toEqual([
      429,
      "1",
      { detail: "throttled" },
    ]);
    expect(gate.retryAfterMs()).toBe(500);
    now += 600;
    expect((await gate.fetch("https://api.test/c")).status).toBe(200);
    expect(calls).toEqual(["https://api.test/a", "https://api.test/c"]);
  });

  it("reads Replicate's retry_after from the body when there is no header", async () => {
    const base = (async () =>
      new Response(JSON.stringify({ retry_after: 7 }), { status: 429 })) as unknown as typeof fetch;
    const gate = createRateGate(base, () => 0);
    await gate.fetch("https://api.test/");
    expect(gate.retryAfterMs()).toBe(7000);
  });
});
