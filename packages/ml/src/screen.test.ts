import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { MlEngine } from "./engine";
import { isHeld, NSFW_WEIGHTS, nsfwScore, SCREEN_CLASSES, scoreImage } from "./screen";
import { scene } from "./test-images";

// The real nsfwjs MobileNetV2 on WebAssembly, in a real worker thread.
const engine = new MlEngine();
afterAll(() => engine.stop());

const flat = (colour: string) =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: colour } })
    .png()
    .toBuffer();

describe("scoreImage with nsfwjs's MobileNetV2", () => {
  it("gives the five classes as probabilities summing to 1, and nsfw from them", async () => {
    const result = await scoreImage(await scene(256, 192), { engine });
    expect(Object.keys(result.scores).sort()).toEqual([...SCREEN_CLASSES].sort());
    const values = Object.values(result.scores);
    expect(values.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(result.nsfw).toBe(nsfwScore(result.scores));
  });

  it("is deterministic: the same image scores the same", async () => {
    const image = await scene(128, 96);
    const first = await scoreImage(image, { engine });
    const second = await scoreImage(image, { engine });
    expect(second).toEqual(first);
  });

  it("tells clearly different pictures apart", async () => {
    // A flat grey field reads as a drawing; shapes and letters on white mostly as neutral (measured 0.84 vs 0.19 Drawing).
    const grey = await scoreImage(await flat("#808080"), { engine });
    const shapes = await scoreImage(await scene(256, 192), { engine });
    expect(grey.scores.Drawing - shapes.scores.Drawing).toBeGreaterThan(0.3);
    expect(shapes.scores.Neutral).toBeGreaterThan(shapes.scores.Drawing);
    expect(grey.scores.Drawing).toBeGreaterThan(grey.scores.Neutral);
  });

  it("reads JPEG and WEBP too", async () => {
    const png = await scene(256, 192);
    for (const format of ["jpeg", "webp"] as const) {
      const result = await scoreImage(await sharp(png).toFormat(format).toBuffer(), { engine });
      expect(Object.values(result.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it("refuses bytes that are not an image", async () => {
    await expect(scoreImage(Buffer.from("nope"), { engine })).rejects.toMatchObject({ code: "unprocessable" });
  });
});

describe("the threshold", () => {
  it("nsfw weighs Porn and Hentai fully, Sexy half, Drawing and Neutral not at all", () => {
    expect(NSFW_WEIGHTS).toEqual({ Drawing: 0, Hentai: 1, Neutral: 0, Porn: 1, Sexy: 0.5 });
    expect(nsfwScore({ Drawing: 0.1, Hentai: 0.2, Neutral: 0.1, Porn: 0.3, Sexy: 0.3 })).toBeCloseTo(0.65, 10);
    expect(nsfwScore({ Drawing: 0.5, Hentai: 0, Neutral: 0.5, Porn: 0, Sexy: 0 })).toBe(0);
    expect(nsfwScore({ Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 1 })).toBe(0.5);
  });

  it("holds at or above the threshold, and nothing when screening is off", () => {
    expect(isHeld(0.5, 0.5)).toBe(true);
    expect(isHeld(0.49, 0.5)).toBe(false);
    expect(isHeld(1, null)).toBe(false);
  });

  it("with a low threshold, holds the higher-scoring of two real pictures only", async () => {
    const grey = await scoreImage(await flat("#808080"), { engine });
    const shapes = await scoreImage(await scene(256, 192), { engine });
    // Measured: grey 0.033, shapes 0.0003.
    const threshold = 0.01;
    expect(isHeld(grey.nsfw, threshold)).toBe(true);
    expect(isHeld(shapes.nsfw, threshold)).toBe(false);
  });
});
