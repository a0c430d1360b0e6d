import { BUILT_IN_MODELS, type CatalogEntry } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import { CatalogError, catalogDefaults, configuredRequirements, resolveCatalog } from "./catalog";
import { parseCatalogFile } from "./catalog-file";

const FILE = `
servers:
  - { name: localai, base_url: "http://gpu:8080" }
  - { name: gateway, base_url: "https://gw.example", api_key_env: GATEWAY_KEY }
models:
  - id: localai-sd
    kind: image
    provider: openai-compatible
    label: SD (LocalAI)
    capabilities: { sizes: [512x512], formats: [PNG], num_images: { min: 1, max: 1 }, input_image: none }
    options: { server: localai, model: sd }
  - id: gw-flux
    kind: image
    provider: openai-compatible
    label: FLUX (gateway)
    capabilities: { sizes: [1024x1024], formats: [PNG], num_images: { min: 1, max: 1 }, input_image: none }
    fallbacks: [localai-sd, fal-ai/flux/dev]
    options: { server: gateway, model: flux }
fallbacks:
  gpt-image-1: [fal-ai/flux/schnell, localai-sd]
prices:
  local-image-v1: { unit: image, amount: "0" }
`;

function file(text = FILE) {
  const parsed = parseCatalogFile("models.yaml", text);
  if (!parsed.ok) {
    throw parsed.error;
  }
  return parsed.value;
}

const resolve = (over: Partial<Parameters<typeof resolveCatalog>[0]> = {}) =>
  resolveCatalog({ builtIns: BUILT_IN_MODELS, file: file(), configured: [], defaults: {}, ...over });

const refusal = (over: Partial<Parameters<typeof resolveCatalog>[0]>) => {
  try {
    resolve(over);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("resolveCatalog", () => {
  it("keeps the local models and those whose provider or server is configured", () => {
    const catalog = resolve({ configured: ["fal", "openai", "openai-compatible:localai"] });
    expect(catalog.entries.map((e) => e.id)).toEqual([
      "local-image-v1",
      "gpt-image-1",
      "local-video-v1",
      "fal-ai/flux/schnell",
      "fal-ai/flux/dev",
      "fal-ai/kling-video/v2/master/text-to-video",
      "localai-sd",
    ]);
    expect(catalog.defaults).toEqual({ image: "local-image-v1", video: "local-video-v1" });
    expect(catalog.inactive).toContainEqual({ id: "gw-flux", reason: "openai-compatible:gateway is not configured" });
    expect(catalog.inactive).toContainEqual({ id: "bfl:flux-dev", reason: "bfl is not configured" });
    const byId = (id: string) => catalog.entries.find((e) => e.id === id) as CatalogEntry;
    // Overrides from the file apply; fallbacks to inactive models are skipped.
    expect(byId("gpt-image-1").fallbacks).toEqual(["fal-ai/flux/schnell", "localai-sd"]);
    expect(byId("local-image-v1").price).toEqual({ unit: "image", amount: "0" });
    const all = resolve({ configured: ["openai-compatible:localai", "openai-compatible:gateway"] });
    expect(all.entries.find((e) => e.id === "gw-flux")?.fallbacks).toEqual(["localai-sd"]);
  });

  it("takes the defaults the env names, and IMAGE_PROVIDER / VIDEO_PROVIDER as before", () => {
    expect(
      resolve({ configured: ["fal", "veo"], defaults: { image: "fal-ai/flux/dev", video: "veo-3.1-generate-preview" } })
        .defaults,
    ).toEqual({
      image: "fal-ai/flux/dev",
      video: "veo-3.1-generate-preview",
    });
    expect(catalogDefaults({ IMAGE_PROVIDER: "gemini", VIDEO_PROVIDER: "veo" })).toEqual({
      image: "gemini-2.5-flash-image",
      video: "veo-3.1-generate-preview",
    });
    expect(catalogDefaults({ IMAGE_PROVIDER: "gemini", DEFAULT_IMAGE_MODEL: "fal-ai/flux/dev" }).image).toBe(
      "fal-ai/flux/dev",
    );
  });

  it("refuses a default that is unknown, of the other kind or inactive, saying why", () => {
    expect(refusal({ defaults: { image: "fal-ai/flux/dev" } })).toBe(
      "DEFAULT_IMAGE_MODEL names fal-ai/flux/dev, which is not active (fal is not configured)",
    );
    expect(refusal({ defaults: { video: "fal-ai/flux/dev" } })).toBe(
      "DEFAULT_VIDEO_MODEL names fal-ai/flux/dev, a image model",
    );
    expect(refusal({ defaults: { image: "flux-9" } })).toBe(
      "DEFAULT_IMAGE_MODEL names flux-9, which is not a model of the catalog",
    );
  });

  it("refuses duplicates, overrides of unknown models and fallbacks of another kind", () => {
    const dup = file(
      FILE.replace("id: localai-sd", "id: gpt-image-1")
        .replace("[localai-sd, fal", "[gpt-image-1, fal")
        .replace("fal-ai/flux/schnell, localai-sd", "fal-ai/flux/schnell"),
    );
    expect(refusal({ file: dup })).toMatch(/^models\.yaml: model gpt-image-1 is already a built-in model; /);
    expect(refusal({ file: file(FILE.replace("local-image-v1: { unit", "local-image-v9: { unit")) })).toBe(
      "models.yaml: prices.local-image-v9 names local-image-v9, which is not a model of the catalog",
    );
    expect(refusal({ file: file(FILE.replace("[localai-sd, fal-ai/flux/dev]", "[veo-3.1-generate-preview]")) })).toBe(
      "model gw-flux (image) falls back to veo-3.1-generate-preview, a video model; fallbacks must be of the same kind",
    );
    expect(refusal({ file: file(`${FILE}disabled: [nope]\n`) })).toBe(
      "models.yaml: disabled names nope, which is not a model of the catalog",
    );
  });

  it("lets the operator disable the local models, and then needs another default", () => {
    const noLocal = file(`${FILE}disabled: [local-image-v1, local-video-v1]\n`);
    expect(refusal({ file: noLocal })).toBe(
      "no image model is active: configure a provider or stop disabling the local one",
    );
    const catalog = resolve({ file: noLocal, configured: ["fal"] });
    expect(catalog.defaults).toEqual({
      image: "fal-ai/flux/schnell",
      video: "fal-ai/kling-video/v2/master/text-to-video",
    });
  });
});

describe("configuredRequirements", () => {
  it("counts set keys and usable servers", () => {
    const { servers } = file();
    expect(configuredRequirements({ fal: "k", replicate: "", bfl: undefined }, servers, {})).toEqual([
      "fal",
      "openai-compatible:localai",
    ]);
    expect(configuredRequirements({}, servers, { GATEWAY_KEY: "secret" })).toEqual([
      "openai-compatible:localai",
      "openai-compatible:gateway",
    ]);
  });
});
