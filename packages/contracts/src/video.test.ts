import { describe, expect, it } from "vitest";
import type { VideoCatalogEntry } from "./catalog";
import { BUILT_IN_MODELS } from "./catalog-builtins";
import { capabilityViolation, catalogDurations } from "./catalog-rules";
import {
  decodeInputImage,
  INPUT_IMAGE_MAX_BYTES,
  NUM_VIDEOS_MAX,
  sniffImageType,
  VIDEO_DEFAULTS,
  VIDEO_DURATION_MAX_SECONDS,
  videoParamsSchema,
} from "./video";

const model = (id: string) => BUILT_IN_MODELS.find((e) => e.id === id) as VideoCatalogEntry;
const violation = (id: string, params: Parameters<typeof capabilityViolation>[1], withImage = false) =>
  capabilityViolation(model(id), params, withImage);

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
const WEBP = Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]);

describe("video parameters", () => {
  it("fills document 004's defaults", () => {
    expect(videoParamsSchema.parse({ prompt: "waves" })).toEqual({ prompt: "waves", ...VIDEO_DEFAULTS });
  });

  it("checks negative_prompt as every person's text: a noncharacter is refused, naming it", () => {
    const parsed = videoParamsSchema.safeParse({ prompt: "waves", negative_prompt: "no \uFFFE" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ["negative_prompt"],
      message: expect.stringContaining("U+FFFE"),
    });
  });

  it("bounds duration and count in the schema, whatever the provider", () => {
    expect(videoParamsSchema.safeParse({ prompt: "x", duration_seconds: VIDEO_DURATION_MAX_SECONDS + 1 }).success).toBe(
      false,
    );
    expect(videoParamsSchema.safeParse({ prompt: "x", duration_seconds: 2.5 }).success).toBe(false);
    expect(videoParamsSchema.safeParse({ prompt: "x", number_of_videos: NUM_VIDEOS_MAX + 1 }).success).toBe(false);
  });

  it("checks the local model's capabilities at their edges, naming the field", () => {
    const { durations: d, number_of_videos: n } = model("local-video-v1").capabilities;
    const base = { aspect_ratio: "9:16" as const, duration_seconds: d.max, number_of_videos: n.max };
    const local = (p: typeof base) => violation("local-video-v1", p);
    expect(local(base)).toBeNull();
    expect(local({ ...base, duration_seconds: d.min })).toBeNull();
    expect(local({ ...base, duration_seconds: d.max + 1 })?.field).toBe("duration_seconds");
    expect(local({ ...base, duration_seconds: d.min - 1 })?.field).toBe("duration_seconds");
    expect(local({ ...base, number_of_videos: n.max + 1 })?.field).toBe("number_of_videos");
  });
});

describe("Veo's capabilities", () => {
  const VEO = "veo-3.1-generate-preview";
  const ok = { aspect_ratio: "16:9" as const, duration_seconds: 8, number_of_videos: 1 };

  it("allows 16:9 and 9:16 only, naming both", () => {
    expect(violation(VEO, { ...ok, aspect_ratio: "9:16" })).toBeNull();
    const square = violation(VEO, { ...ok, aspect_ratio: "1:1" });
    expect(square).toMatchObject({ field: "aspect_ratio" });
    expect(square?.message).toContain("allowed: 16:9, 9:16");
  });

  it("allows 4, 6 and 8 seconds and nothing between or beyond", () => {
    expect(catalogDurations(model(VEO))).toEqual([4, 6, 8]);
    for (const s of [4, 6, 8]) {
      expect(violation(VEO, { ...ok, duration_seconds: s })).toBeNull();
    }
    for (const s of [3, 5, 7, 9]) {
      const v = violation(VEO, { ...ok, duration_seconds: s });
      expect([v?.field, v?.message]).toEqual([
        "duration_seconds",
        "duration_seconds must be one of 4, 6, 8 for veo-3.1-generate-preview",
      ]);
    }
  });

  it("makes one video per request", () => {
    expect(model(VEO).capabilities.number_of_videos.max).toBe(1);
    expect(violation(VEO, { ...ok, number_of_videos: 2 })).toMatchObject({
      field: "number_of_videos",
      message: "number_of_videos must be 1 for veo-3.1-generate-preview",
    });
  });

  it("allows people by input: ALLOW_ALL from text, ALLOW_ADULT from an image", () => {
    expect(violation(VEO, { ...ok, person_generation: "ALLOW_ALL" }, false)).toBeNull();
    expect(violation(VEO, { ...ok, person_generation: "ALLOW_ADULT" }, true)).toBeNull();
    const fromImage = violation(VEO, { ...ok, person_generation: "ALLOW_ALL" }, true);
    expect(fromImage).toMatchObject({ field: "person_generation" });
    expect(fromImage?.message).toContain("with an input image; allowed: ALLOW_ADULT");
    expect(violation(VEO, { ...ok, person_generation: "DONT_ALLOW" }, false)?.message).toContain("allowed: ALLOW_ALL");
  });
});

describe("input images", () => {
  it("recognises PNG, JPEG and WEBP by their bytes only", () => {
    expect([sniffImageType(PNG), sniffImageType(JPEG), sniffImageType(WEBP)]).toEqual(["PNG", "JPEG", "WEBP"]);
    expect(sniffImageType(Buffer.from("GIF89a"))).toBeNull();
    expect(sniffImageType(Buffer.from("<svg/>"))).toBeNull();
  });

  it("decodes data: URLs and plain base64, ignoring the declared type", () => {
    expect(decodeInputImage(`data:image/gif;base64,${PNG.toString("base64")}`).type).toBe("PNG");
    expect(decodeInputImage(JPEG.toString("base64")).type).toBe("JPEG");
  });

  it("refuses non-images (422), non-base64 (400) and images past INPUT_IMAGE_MAX_BYTES (413)", () => {
    expect(() => decodeInputImage(Buffer.from("hello").toString("base64"))).toThrow(
      expect.objectContaining({ code: "unprocessable", field: "input_image_base64" }),
    );
    expect(() => decodeInputImage("not base64 !!")).toThrow(expect.objectContaining({ code: "invalid_request" }));
    const atLimit = Buffer.alloc(INPUT_IMAGE_MAX_BYTES);
    PNG.copy(atLimit);
    expect(decodeInputImage(atLimit.toString("base64")).bytes.length).toBe(INPUT_IMAGE_MAX_BYTES);
    const over = Buffer.alloc(INPUT_IMAGE_MAX_BYTES + 1);
    PNG.copy(over);
    expect(() => decodeInputImage(over.toString("base64"))).toThrow(
      expect.objectContaining({ code: "payload_too_large" }),
    );
  });
});
