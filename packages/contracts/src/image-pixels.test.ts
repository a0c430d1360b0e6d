import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { assertInputImagePixels, INPUT_IMAGE_DECODE_OPTIONS, INPUT_IMAGE_MAX_PIXELS } from "./image-pixels";
import { pngDeclaring } from "./testing";
import { INPUT_IMAGE_MAX_BYTES } from "./video";

describe("input image pixel limit", () => {
  it("refuses, 413 naming the field, a small PNG that declares ~268 megapixels", async () => {
    const bomb = pngDeclaring(16383, 16383); // 268,402,689 pixels: just under libvips' own default limit
    expect(bomb.length).toBeLessThan(INPUT_IMAGE_MAX_BYTES);
    await expect(assertInputImagePixels(bomb, "input_image_base64")).rejects.toMatchObject({
      code: "payload_too_large",
      status: 413,
      field: "input_image_base64",
      message: expect.stringContaining("16383×16383"),
    });
    // …and every decode of an input image refuses it too, before allocating.
    await expect(sharp(bomb, INPUT_IMAGE_DECODE_OPTIONS).png().toBuffer()).rejects.toThrow(/pixel limit/);
  });

  it("accepts an image at the limit and refuses one just past it", async () => {
    const side = Math.floor(Math.sqrt(INPUT_IMAGE_MAX_PIXELS));
    await expect(assertInputImagePixels(pngDeclaring(side, side), "f")).resolves.toEqual({ width: side, height: side });
    await expect(
      assertInputImagePixels(pngDeclaring(INPUT_IMAGE_MAX_PIXELS / 1000 + 1, 1000), "f"),
    ).rejects.toMatchObject({ code: "payload_too_large" });
  });

  it("passes a real photo-sized image and refuses one whose header cannot be read (422)", async () => {
    const real = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } })
      .jpeg()
      .toBuffer();
    await expect(assertInputImagePixels(real, "input_image_base64")).resolves.toEqual({ width: 64, height: 48 });
    const garbage = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 9)]);
    await expect(assertInputImagePixels(garbage, "input_image_base64")).rejects.toMatchObject({
      code: "unprocessable",
      field: "input_image_base64",
    });
  });
});
