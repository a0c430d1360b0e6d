import { describe, expect, it } from "vitest";
import type { ImageCatalogEntry, VideoCatalogEntry } from "./catalog";
import { BUILT_IN_MODELS, PROVIDER_DEFAULT_MODELS } from "./catalog-builtins";
import { entryOptionsProblems } from "./catalog-options";
import { capabilityViolation, catalogDurations } from "./catalog-rules";

const byId = (id: string) => {
  const entry = BUILT_IN_MODELS.find((e) => e.id === id);
  if (!entry) {
    throw new Error(`no built-in ${id}`);
  }
  return entry;
};
const image = (id: string) => byId(id) as ImageCatalogEntry;
const video = (id: string) => byId(id) as VideoCatalogEntry;
const imageRequest = { size: "1024x1024", format: "PNG", quality: "high", num_images: 1 } as const;
const videoRequest = { aspect_ratio: "16:9", duration_seconds: 6, number_of_videos: 1 } as const;

describe("capabilityViolation", () => {
  it("names the field and the allowed values", () => {
    const openai = image("gpt-image-1");
    expect(capabilityViolation(openai, { ...imageRequest, size: "512x512" })).toEqual({
      field: "size",
      message: "size 512x512 is not supported by gpt-image-1; allowed: 1024x1024, 1536x1024, 1024x1536",
    });
    expect(capabilityViolation(openai, { ...imageRequest, input_image_url: "https://x.test/a.png" })?.field).toBe(
      "input_image_url",
    );
    const kling = video("fal-ai/kling-video/v2/master/text-to-video");
    expect(capabilityViolation(kling, { ...videoRequest, duration_seconds: 6 })).toEqual({
      field: "duration_seconds",
      message: "duration_seconds must be one of 5, 10 for fal-ai/kling-video/v2/master/text-to-video",
    });
    expect(
      capabilityViolation(kling, { ...videoRequest, duration_seconds: 10, person_generation: "DONT_ALLOW" }),
    ).toEqual({
      field: "person_generation",
      message:
        "person_generation DONT_ALLOW is not allowed by fal-ai/kling-video/v2/master/text-to-video without an input image; allowed: ALLOW_ALL",
    });
  });

  it("checks seed, steps, guidance and negative prompt against the model's knobs", () => {
    const dev = image("fal-ai/flux/dev");
    expect(capabilityViolation(dev, { ...imageRequest, seed: 7, steps: 50, guidance: 1 })).toBeNull();
    expect(capabilityViolation(dev, { ...imageRequest, steps: 51 })).toEqual({
      field: "steps",
      message: "steps must be 1-50 for fal-ai/flux/dev",
    });
    expect(capabilityViolation(dev, { ...imageRequest, guidance: 0.5 })?.field).toBe("guidance");
    expect(capabilityViolation(dev, { ...imageRequest, negative_prompt: "blur" })?.field).toBe("negative_prompt");
    const schnell = image("fal-ai/flux/schnell");
    expect(capabilityViolation(schnell, { ...imageRequest, guidance: 3 })?.message).toBe(
      "guidance is not supported by fal-ai/flux/schnell; leave it out",
    );
    expect(capabilityViolation(image("gpt-image-1"), { ...imageRequest, seed: 1 })?.field).toBe("seed");
  });

  it("enforces a required input image, and an explicit withInputImage over the request's fields", () => {
    const required = { ...video("replicate:minimax/video-01") };
    required.capabilities = { ...required.capabilities, input_image: "required" };
    expect(capabilityViolation(required, videoRequest)).toEqual({
      field: "input_image_base64",
      message: "input_image_base64 is required by replicate:minimax/video-01",
    });
    expect(capabilityViolation(required, videoRequest, true)).toBeNull();
    expect(capabilityViolation(required, { ...videoRequest, input_image_url: "https://x.test/a.png" })).toBeNull();
    expect(capabilityViolation(image("fal-ai/flux/schnell"), imageRequest, true)?.field).toBe("input_image_url");
  });

  it("gives the pre-catalog names (IMAGE_PROVIDER, VIDEO_PROVIDER) a built-in default model each", () => {
    for (const [name, id] of Object.entries(PROVIDER_DEFAULT_MODELS.image)) {
      expect([name, image(id).kind, image(id).provider]).toEqual([name, "image", name]);
    }
    for (const [name, id] of Object.entries(PROVIDER_DEFAULT_MODELS.video)) {
      expect([name, video(id).kind, video(id).provider]).toEqual([name, "video", name]);
      // Every pre-catalog video model takes a negative prompt and an input image.
      expect(capabilityViolation(video(id), { ...videoRequest, duration_seconds: 8, negative_prompt: "x" }, true)).toBe(
        null,
      );
    }
  });

  it("lists every duration a video model allows", () => {
    expect(catalogDurations(video("veo-3.1-generate-preview"))).toEqual([4, 6, 8]);
    expect(catalogDurations(video("replicate:minimax/video-01"))).toEqual([6]);
  });
});

describe("built-in models", () => {
  it("have unique ids and options their providers accept", () => {
    expect(new Set(BUILT_IN_MODELS.map((e) => e.id)).size).toBe(BUILT_IN_MODELS.length);
    for (const entry of BUILT_IN_MODELS) {
      expect([entry.id, entryOptionsProblems(entry)]).toEqual([entry.id, []]);
    }
  });

  it("derive the hosted models' sizes from the vendors' rules", () => {
    expect((byId("bfl:flux-dev") as ImageCatalogEntry).capabilities.sizes).toEqual([
      "256x256",
      "512x512",
      "768x768",
      "1024x1024",
      "1024x768",
      "768x1024",
    ]);
    expect((byId("replicate:black-forest-labs/flux-schnell") as ImageCatalogEntry).capabilities.sizes).not.toContain(
      "1920x1080",
    );
  });

  it("include the hosted models the catalog promises", () => {
    const ids = BUILT_IN_MODELS.map((e) => `${e.provider} ${e.kind} ${e.id}`);
    for (const expected of [
      "fal image fal-ai/flux/schnell",
      "fal image fal-ai/flux/dev",
      "fal video fal-ai/kling-video/v2/master/text-to-video",
      "replicate image replicate:black-forest-labs/flux-schnell",
      "replicate image replicate:black-forest-labs/flux-1.1-pro",
      "replicate video replicate:minimax/video-01",
      "bfl image bfl:flux-pro-1.1",
      "bfl image bfl:flux-dev",
    ]) {
      expect(ids).toContain(expected);
    }
  });
});

describe("entryOptionsProblems", () => {
  const schnell = image("fal-ai/flux/schnell");
  const withOptions = (options: Record<string, unknown>) => ({ ...schnell, options });
  const base = schnell.options as Record<string, unknown>;

  it("names the path of a bad mapping", () => {
    expect(
      entryOptionsProblems(withOptions({ ...base, input: { prompt: "prompt", size: { to: "w", as: "data-uri" } } })),
    ).toContainEqual({
      path: ["options", "input", "size"],
      message: "as: data-uri applies to input_image only",
    });
    expect(
      entryOptionsProblems(withOptions({ ...base, input: { prompt: "prompt", aspect_ratio: "ar" } })),
    ).toContainEqual({
      path: ["options", "input", "aspect_ratio"],
      message: expect.stringContaining("aspect_ratio is not a Sorami image parameter"),
    });
    expect(entryOptionsProblems(withOptions({ ...base, output: "images[.url" }))[0]?.path).toEqual([
      "options",
      "output",
    ]);
    expect(entryOptionsProblems(withOptions({ ...base, extra: 1 }))[0]?.path).toEqual(["options"]);
  });

  it("requires a mapping for every knob the capabilities promise", () => {
    const { seed: _seed, num_images: _n, ...input } = base.input as Record<string, unknown>;
    const problems = entryOptionsProblems(withOptions({ ...base, input }));
    expect(problems.map((p) => p.path.join("."))).toEqual(["options.input.seed", "options.input.num_images"]);
  });
});
