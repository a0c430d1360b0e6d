import { describe, expect, it } from "vitest";
import type { ImageCatalogEntry } from "./catalog";
import { BUILT_IN_MODELS } from "./catalog-builtins";
import { capabilityViolation } from "./catalog-rules";
import { describeZodError } from "./errors";
import {
  GEMINI_IMAGE_ASPECT_RATIOS,
  IMAGE_DEFAULTS,
  IMAGE_SIZES,
  imageParamsSchema,
  nearestGeminiAspectRatio,
  parseSize,
} from "./images";
import { NUM_IMAGES_MAX, NUM_IMAGES_MIN, PROMPT_MAX_LENGTH, URL_MAX_LENGTH } from "./limits";

function fieldOf(input: unknown): string | undefined {
  const parsed = imageParamsSchema.safeParse(input);
  if (parsed.success) {
    return undefined;
  }
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

  it("counts the prompt limit in characters as a person does: 4000 emoji pass, 4001 do not", () => {
    expect(imageParamsSchema.safeParse({ prompt: "😀".repeat(PROMPT_MAX_LENGTH) }).success).toBe(true);
    expect(imageParamsSchema.safeParse({ prompt: "👍🏽".repeat(PROMPT_MAX_LENGTH / 2) }).success).toBe(true);
    expect(fieldOf({ prompt: "😀".repeat(PROMPT_MAX_LENGTH + 1) })).toBe("prompt");
  });

  it("refuses, naming the field and the character, what the pipeline cannot carry", () => {
    const refused = (prompt: string) => {
      const parsed = imageParamsSchema.safeParse({ prompt });
      return parsed.success ? null : describeZodError(parsed.error);
    };
    expect(refused("a cat \uFFFF")).toEqual({
      field: "prompt",
      message: "prompt: must not contain U+FFFF (a noncharacter)",
    });
    expect(refused("\u{10FFFE} plane 16")?.message).toContain("U+10FFFE");
    expect(refused("a\uFDD0b")?.field).toBe("prompt");
    expect(refused("half \uD83D an emoji")?.message).toContain("unpaired surrogate");
    expect(refused("C1 \u0085 next line")?.message).toContain("control character");
    expect(refused("line one\r\nline two\ttab 😀 e\u0301 مرحبا")).toBeNull();
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

describe("the built-in image models' capabilities", () => {
  const params = imageParamsSchema.parse({ prompt: "x" });
  const model = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as ImageCatalogEntry;

  it("lets OpenAI serve its three native sizes only, naming them", () => {
    for (const size of model("gpt-image-1").capabilities.sizes) {
      expect(capabilityViolation(model("gpt-image-1"), { ...params, size })).toBeNull();
    }
    const small = capabilityViolation(model("gpt-image-1"), { ...params, size: "512x512" });
    expect(small).toMatchObject({ field: "size" });
    expect(small?.message).toContain("allowed: 1024x1024, 1536x1024, 1024x1536");
  });

  it("refuses an input image where the model takes none", () => {
    const withUrl = { ...params, input_image_url: "https://example.com/a.png" };
    expect(capabilityViolation(model("gpt-image-1"), withUrl)?.field).toBe("input_image_url");
    expect(capabilityViolation(model("gemini-2.5-flash-image"), withUrl)).toBeNull();
  });

  it("lets Gemini and the local model serve every offered size, 1 to 4 images", () => {
    for (const size of IMAGE_SIZES) {
      for (const num_images of [NUM_IMAGES_MIN, NUM_IMAGES_MAX]) {
        expect(capabilityViolation(model("gemini-2.5-flash-image"), { ...params, size, num_images })).toBeNull();
        expect(capabilityViolation(model("local-image-v1"), { ...params, size, num_images })).toBeNull();
      }
    }
  });
});

describe("Gemini's aspect ratios", () => {
  it("maps every offered size to the nearest Gemini aspect ratio (the README's table)", () => {
    const table = Object.fromEntries(
      IMAGE_SIZES.map((s) => [s, nearestGeminiAspectRatio(parseSize(s).width, parseSize(s).height)]),
    );
    expect(table).toEqual({
      "256x256": "1:1",
      "512x512": "1:1",
      "768x768": "1:1",
      "1024x1024": "1:1",
      "1536x1536": "1:1",
      "2048x2048": "1:1",
      "1024x768": "4:3",
      "768x1024": "3:4",
      "1536x1024": "3:2",
      "1024x1536": "2:3",
      "1280x720": "16:9",
      "720x1280": "9:16",
      "1920x1080": "16:9",
      "1080x1920": "9:16",
    });
    // Sizes between ratios go to the closer one; the extremes to 21:9.
    expect(nearestGeminiAspectRatio(1100, 1000)).toBe("1:1");
    expect(nearestGeminiAspectRatio(1250, 1000)).toBe("5:4");
    expect(nearestGeminiAspectRatio(4000, 1000)).toBe("21:9");
    expect(Object.keys(GEMINI_IMAGE_ASPECT_RATIOS)).toHaveLength(10);
  });
});
