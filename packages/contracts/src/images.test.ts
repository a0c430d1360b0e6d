import { describe, expect, it } from "vitest";
import { describeZodError } from "./errors";
import { IMAGE_DEFAULTS, imageParamsSchema } from "./images";
import { NUM_IMAGES_MAX, NUM_IMAGES_MIN, PROMPT_MAX_LENGTH, URL_MAX_LENGTH } from "./limits";

function fieldOf(input: unknown): string | undefined {
  const parsed = imageParamsSchema.safeParse(input);
  if (parsed.success) return undefined;
  return describeZodError(parsed.error).field;
}

describe("image parameters", () => {
  it("fills document 004's defaults", () => {
    expect(imageParamsSchema.parse({ prompt: "a cat" })).toEqual({ prompt: "a cat", ...IMAGE_DEFAULTS });
  });

  it("bounds the prompt at PROMPT_MAX_LENGTH characters", () => {
    expect(imageParamsSchema.safeParse({ prompt: "a".repeat(PROMPT_MAX_LENGTH) }).success).toBe(true);
    expect(fieldOf({ prompt: "a".repeat(PROMPT_MAX_LENGTH + 1) })).toBe("prompt");
    expect(fieldOf({ prompt: "   " })).toBe("prompt");
    expect(fieldOf({})).toBe("prompt");
    expect(fieldOf({ prompt: "bad\u0007bell" })).toBe("prompt");
  });

  it("bounds num_images to whole numbers in [NUM_IMAGES_MIN, NUM_IMAGES_MAX]", () => {
    expect(imageParamsSchema.safeParse({ prompt: "x", num_images: NUM_IMAGES_MAX }).success).toBe(true);
    for (const bad of [NUM_IMAGES_MIN - 1, NUM_IMAGES_MAX + 1, 1.5, "2", -1, 1e9]) {
      expect(fieldOf({ prompt: "x", num_images: bad })).toBe("num_images");
    }
  });

  it("accepts only listed sizes, formats, styles and qualities", () => {
    expect(fieldOf({ prompt: "x", size: "4096x4096" })).toBe("size");
    expect(fieldOf({ prompt: "x", format: "GIF" })).toBe("format");
    expect(fieldOf({ prompt: "x", style: "cubism" })).toBe("style");
    expect(fieldOf({ prompt: "x", quality: "ultra" })).toBe("quality");
  });

  it("accepts http(s) input URLs up to URL_MAX_LENGTH, and blank as none", () => {
    expect(imageParamsSchema.parse({ prompt: "x", input_image_url: "" }).input_image_url).toBeUndefined();
    expect(fieldOf({ prompt: "x", input_image_url: "file:///etc/passwd" })).toBe("input_image_url");
    expect(fieldOf({ prompt: "x", input_image_url: `https://e.com/${"a".repeat(URL_MAX_LENGTH)}` })).toBe(
      "input_image_url",
    );
  });

  it("refuses unknown fields, naming them", () => {
    expect(fieldOf({ prompt: "x", colour: "red" })).toBe("colour");
  });
});
