import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CatalogEntry } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseEnv } from "./index";
import { catalogEnvShape, inputImageEnvShape, loadActiveCatalog } from "./providers";

const parse = (env: Record<string, string>) => parseEnv(z.object({ ...catalogEnvShape, ...inputImageEnvShape }), env);
const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-catalog-env-"));
const file = (name: string, text: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};

describe("the active catalog at start", () => {
  it("is the local models alone, local by default, when no key is set", async () => {
    const catalog = await loadActiveCatalog({ env: parse({}), keys: {}, environment: {} });
    expect(catalog.entries.map((e) => e.id)).toEqual(["local-image-v1", "local-video-v1"]);
    expect(catalog.defaults).toEqual({ image: "local-image-v1", video: "local-video-v1" });
  });

  it("holds every provider whose key is set at once; IMAGE_PROVIDER / VIDEO_PROVIDER name the defaults", async () => {
    const catalog = await loadActiveCatalog({
      env: parse({ IMAGE_PROVIDER: "gemini", VIDEO_PROVIDER: "veo" }),
      keys: { gemini: "g", veo: "g", openai: "o", fal: "f", replicate: "", bfl: undefined },
      environment: {},
    });
    const providers = new Set(catalog.entries.map((e) => e.provider));
    expect([...providers].sort()).toEqual(["fal", "gemini", "local", "openai", "veo"]);
    expect(catalog.defaults).toEqual({ image: "gemini-2.5-flash-image", video: "veo-3.1-generate-preview" });
    expect(catalog.inactive).toContainEqual({
      id: "replicate:minimax/video-01",
      reason: "replicate is not configured",
    });
  });

  it("lets DEFAULT_IMAGE_MODEL win over IMAGE_PROVIDER, and refuses an inactive default naming the variable", async () => {
    const both = parse({ IMAGE_PROVIDER: "openai", DEFAULT_IMAGE_MODEL: "fal-ai/flux/dev" });
    const catalog = await loadActiveCatalog({ env: both, keys: { openai: "o", fal: "f" }, environment: {} });
    expect(catalog.defaults.image).toBe("fal-ai/flux/dev");
    await expect(loadActiveCatalog({ env: both, keys: { openai: "o" }, environment: {} })).rejects.toThrow(
      "DEFAULT_IMAGE_MODEL names fal-ai/flux/dev, which is not active (fal is not configured)",
    );
  });

  it("adds the catalog file's models, and an OpenAI-compatible server only when its key variable is set", async () => {
    const models = file(
      "models.yaml",
      [
        "servers:",
        "  - { name: gateway, base_url: 'http://gw.test', api_key_env: GATEWAY_KEY }",
        "models:",
        "  - id: gw-sd",
        "    kind: image",
        "    provider: openai-compatible",
        "    label: SD (gateway)",
        "    capabilities: { sizes: [512x512], formats: [PNG], num_images: { min: 1, max: 1 }, input_image: none }",
        "    options: { server: gateway, model: sd }",
      ].join("\n"),
    );
    const env = parse({ MODELS_FILE: models });
    const without = await loadActiveCatalog({ env, keys: {}, environment: {} });
    expect(without.entries.map((e) => e.id)).not.toContain("gw-sd");
    const withKey = await loadActiveCatalog({ env, keys: {}, environment: { GATEWAY_KEY: "s" } });
    expect(withKey.entries.map((e) => e.id)).toContain("gw-sd");
    expect(withKey.servers.map((s) => s.name)).toEqual(["gateway"]);
  });

  it("takes the entries an engine brings at start, active once their provider is configured", async () => {
    const schnell = (await loadActiveCatalog({ env: parse({}), keys: { fal: "f" }, environment: {} })).entries.find(
      (e) => e.id === "fal-ai/flux/schnell",
    );
    const engine = { ...(schnell as CatalogEntry), id: "comfyui:sdxl-base", provider: "comfyui" as const, options: {} };
    const without = await loadActiveCatalog({ env: parse({}), keys: {}, environment: {}, engineEntries: [engine] });
    expect(without.inactive).toContainEqual({ id: "comfyui:sdxl-base", reason: "comfyui is not configured" });
    const withEngine = await loadActiveCatalog({
      env: parse({ DEFAULT_IMAGE_MODEL: "comfyui:sdxl-base" }),
      keys: { comfyui: "http://gpu-1:8188" },
      environment: {},
      engineEntries: [engine],
    });
    expect(withEngine.defaults.image).toBe("comfyui:sdxl-base");

    // Given as a function, the engine is shown the file's own entries first (A1111's may be listed there).
    const models = file(
      "engine-listed.yaml",
      [
        "models:",
        "  - id: a1111:house",
        "    kind: image",
        "    provider: a1111",
        "    label: House style",
        "    capabilities: { sizes: [512x512], formats: [PNG], num_images: { min: 1, max: 1 }, input_image: none }",
        "    options: { checkpoint: sd_xl_base_1.0 }",
      ].join("\n"),
    );
    const shown: string[][] = [];
    const fromFile = await loadActiveCatalog({
      env: parse({ MODELS_FILE: models }),
      keys: { a1111: "http://gpu-1:7860", comfyui: "http://gpu-1:8188" },
      environment: {},
      engineEntries: async (listed) => {
        shown.push(listed.map((e) => e.id));
        return [engine];
      },
    });
    expect(shown).toEqual([["a1111:house"]]);
    expect(fromFile.entries.map((e) => e.id)).toEqual(expect.arrayContaining(["a1111:house", "comfyui:sdxl-base"]));
  });

  it("refuses a catalog file with a mistake, naming the file, line, entry and field", async () => {
    const bad = file(
      "bad.yaml",
      [
        "models:",
        "  - id: fal-ai/recraft-v3",
        "    kind: image",
        "    provider: fal",
        "    label: Recraft",
        "    capabilities: { sizes: [999x999], formats: [PNG], num_images: { min: 1, max: 1 }, input_image: none }",
        "    options: { input: { prompt: prompt }, output: 'images[].url' }",
      ].join("\n"),
    );
    await expect(loadActiveCatalog({ env: parse({ MODELS_FILE: bad }), keys: {}, environment: {} })).rejects.toThrow(
      /bad\.yaml:6:\d+: models\[0\] "fal-ai\/recraft-v3": capabilities\.sizes\[0\]/,
    );
  });

  it("refuses an unknown IMAGE_PROVIDER, naming the choices, and reads INPUT_IMAGE_ALLOWED_HOSTS", () => {
    expect(() => parse({ IMAGE_PROVIDER: "dalle" })).toThrow(/IMAGE_PROVIDER.*local.*gemini.*openai/s);
    expect(() => parse({ VIDEO_PROVIDER: "sora" })).toThrow(/VIDEO_PROVIDER/);
    expect(
      parse({ INPUT_IMAGE_ALLOWED_HOSTS: " Images.Intranet , 10.0.0.5:8080,[fd00::1]:80" }).INPUT_IMAGE_ALLOWED_HOSTS,
    ).toEqual(["images.intranet", "10.0.0.5:8080", "[fd00::1]:80"]);
    expect(() => parse({ INPUT_IMAGE_ALLOWED_HOSTS: "http://x.example/" })).toThrow(/INPUT_IMAGE_ALLOWED_HOSTS/);
  });
});
