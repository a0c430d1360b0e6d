import { AppError } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { MlEngine } from "./engine";
import { UPSCALE_MAX_INPUT_PIXELS, UPSCALE_MAX_OUTPUT_PIXELS } from "./limits";
import { edgeEnergy, maxAbsoluteDifference, meanAbsoluteDifference, pixels, scene } from "./test-images";
import { upscale } from "./upscale";

// The real slim ESRGAN on WebAssembly, in a real worker thread.
const engine = new MlEngine();
afterAll(() => engine.stop());

/** A source made the way ESRGAN's training pairs were: a sharp picture shrunk with a bicubic filter. */
async function source(width: number, height: number, scale: number): Promise<{ input: Buffer; truth: Buffer }> {
  const truth = await scene(width * scale, height * scale);
  const input = await sharp(truth).resize(width, height, { kernel: "cubic" }).png().toBuffer();
  return { input, truth };
}

const lanczos = (input: Buffer, width: number, height: number) =>
  sharp(input).resize(width, height, { kernel: "lanczos3", fit: "fill" }).png().toBuffer();

describe("upscale with the real ESRGAN model", () => {
  for (const scale of [2, 4] as const) {
    it(`×${scale}: exact size, PNG kept, and closer to the true picture than a plain resize`, async () => {
      const { input, truth } = await source(64, 48, scale);
      const result = await upscale(input, { scale, engine });

      expect(result).toMatchObject({ format: "png", width: 64 * scale, height: 48 * scale });
      const meta = await sharp(result.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 64 * scale, 48 * scale]);

      const model = await pixels(result.data);
      const plain = await pixels(await lanczos(input, 64 * scale, 48 * scale));
      const real = await pixels(truth);
      // Not a resize in disguise: levels differ on average (measured 3.6–4.8 here).
      expect(meanAbsoluteDifference(model.data, plain.data)).toBeGreaterThan(2);
      // And the difference is detail recovered: nearer the picture the source was shrunk from
      // (measured 4–7 % nearer than Lanczos 3).
      expect(meanAbsoluteDifference(model.data, real.data)).toBeLessThan(
        0.98 * meanAbsoluteDifference(plain.data, real.data),
      );
      if (scale === 4) {
        // Sharper edges (at ×2 Lanczos's ringing adds as much gradient as the model's edges).
        const modelGrey = await pixels(result.data, 1);
        const plainGrey = await pixels(await lanczos(input, 256, 192), 1);
        expect(edgeEnergy(modelGrey.data, 256, 192)).toBeGreaterThan(1.2 * edgeEnergy(plainGrey.data, 256, 192));
      }
    });
  }

  it("keeps JPEG as JPEG and WEBP as WEBP", async () => {
    const { input } = await source(32, 24, 2);
    for (const format of ["jpeg", "webp"] as const) {
      const encoded = await sharp(input).toFormat(format).toBuffer();
      const result = await upscale(encoded, { scale: 2, engine });
      expect(result.format).toBe(format);
      expect((await sharp(result.data).metadata()).format).toBe(format);
      expect([result.width, result.height]).toEqual([64, 48]);
    }
  });

  it("takes greyscale and 16-bit PNGs (the model sees 8-bit RGB)", async () => {
    const { input } = await source(24, 16, 2);
    const grey = await sharp(input).toColourspace("b-w").png().toBuffer();
    const deep = await sharp(input).toColourspace("rgb16").png().toBuffer();
    expect([(await sharp(grey).metadata()).channels, (await sharp(deep).metadata()).depth]).toEqual([1, "ushort"]);
    for (const image of [grey, deep]) {
      const result = await upscale(image, { scale: 2, engine });
      expect([result.format, result.width, result.height]).toEqual(["png", 48, 32]);
    }
  });

  it("upscales the colour with the model and resizes the alpha channel", async () => {
    const input = await scene(32, 24, { alpha: true });
    const result = await upscale(input, { scale: 2, engine });
    const meta = await sharp(result.data).metadata();
    expect([meta.format, meta.channels, meta.width, meta.height]).toEqual(["png", 4, 64, 48]);
    const alpha = await sharp(result.data).extractChannel("alpha").raw().toBuffer();
    const expected = await sharp(input)
      .extractChannel("alpha")
      .resize(64, 48, { kernel: "lanczos3", fit: "fill" })
      .raw()
      .toBuffer();
    expect(maxAbsoluteDifference(alpha, expected)).toBe(0);
  });

  it("reports progress per tile, in order, ending at the total", async () => {
    const { input } = await source(64, 48, 2);
    const calls: [number, number][] = [];
    await upscale(input, { scale: 2, engine, tileSide: 24, onProgress: (done, total) => calls.push([done, total]) });
    // 64×48 in 24-pixel tiles: 3 columns × 2 rows.
    expect(calls).toEqual([1, 2, 3, 4, 5, 6].map((done) => [done, 6]));
  });
});

describe("tiles", () => {
  it("leave no seam: a tiled run equals a single-tile run at every pixel", async () => {
    const { input } = await source(96, 72, 2);
    const whole = await upscale(input, { scale: 2, engine, tileSide: 256 });
    const tiled = await upscale(input, { scale: 2, engine, tileSide: 32 });
    expect([tiled.width, tiled.height]).toEqual([whole.width, whole.height]);
    const a = await pixels(whole.data);
    const b = await pixels(tiled.data);
    // Float rounding in differently sized convolutions may move a level, no more.
    expect(maxAbsoluteDifference(a.data, b.data)).toBeLessThanOrEqual(2);

    // The same comparison does catch seams: with no overlap, tile borders differ plainly.
    const seamed = await pixels((await upscale(input, { scale: 2, engine, tileSide: 32, padding: 0 })).data);
    expect(maxAbsoluteDifference(a.data, seamed.data)).toBeGreaterThan(20);
  });
});

describe("cancel and limits", () => {
  it("stops between tiles when the signal aborts, and the worker keeps serving", async () => {
    const { input } = await source(96, 72, 2);
    const controller = new AbortController();
    let last = 0;
    const run = upscale(input, {
      scale: 2,
      engine,
      tileSide: 12,
      signal: controller.signal,
      onProgress: (done) => {
        last = done;
        if (done === 2) {
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    // 48 tiles were planned; progress stopped right after the abort.
    expect(last).toBe(2);
    const after = await upscale((await source(16, 16, 2)).input, { scale: 2, engine });
    expect([after.width, after.height]).toEqual([32, 32]);
  });

  it("refuses an already aborted request without starting anything", async () => {
    const fresh = new MlEngine();
    const { input } = await source(16, 16, 2);
    await expect(upscale(input, { scale: 2, engine: fresh, signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(fresh.workerStarts).toBe(0);
  });

  it("refuses a source over UPSCALE_MAX_INPUT_PIXELS before loading any model", async () => {
    const fresh = new MlEngine();
    const side = Math.sqrt(UPSCALE_MAX_INPUT_PIXELS);
    const big = await sharp({ create: { width: side + 1, height: side, channels: 3, background: "#888" } })
      .png()
      .toBuffer();
    const refused = upscale(big, { scale: 2, engine: fresh });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({
      code: "unprocessable",
      message: expect.stringContaining("2049×2048"),
    });
    expect(fresh.workerStarts).toBe(0);
  });

  it("refuses a ×4 whose result would exceed UPSCALE_MAX_OUTPUT_PIXELS (a source under the input limit)", async () => {
    const fresh = new MlEngine();
    const side = Math.sqrt(UPSCALE_MAX_OUTPUT_PIXELS) / 4;
    const image = await sharp({ create: { width: side + 1, height: side, channels: 3, background: "#888" } })
      .png()
      .toBuffer();
    await expect(upscale(image, { scale: 4, engine: fresh })).rejects.toMatchObject({
      code: "unprocessable",
      message: expect.stringContaining("choose a smaller scale"),
    });
    expect(fresh.workerStarts).toBe(0);
  });

  it("refuses other formats, undecodable bytes and other scales", async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } })
      .gif()
      .toBuffer();
    await expect(upscale(gif, { scale: 2, engine })).rejects.toMatchObject({ code: "unprocessable" });
    await expect(upscale(Buffer.from("not an image"), { scale: 2, engine })).rejects.toMatchObject({
      code: "unprocessable",
    });
    const { input } = await source(8, 8, 2);
    await expect(upscale(input, { scale: 3 as 2, engine })).rejects.toMatchObject({
      code: "invalid_request",
      field: "scale",
    });
  });
});
