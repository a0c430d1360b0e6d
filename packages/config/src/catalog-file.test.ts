import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOG_FILE_MAX_BYTES, loadCatalogFile, parseCatalogFile } from "./catalog-file";

const RECRAFT_YAML = `# a fal model and a LocalAI server
servers:
  - name: localai
    base_url: http://gpu-box:8080
    api_key_env: LOCALAI_API_KEY
models:
  - id: fal-ai/recraft-v3
    kind: image
    provider: fal
    label: Recraft V3 (fal)
    capabilities:
      sizes: [1024x1024, 1536x1024]
      formats: [PNG]
      num_images: { min: 1, max: 1 }
      input_image: none
    price: { unit: image, amount: "0.04", as_of: 2026-12-04 }
    fallbacks: [fal-ai/flux/dev]
    options:
      input:
        prompt: prompt
        size: { to: image_size, as: wh-object }
      output: images[].url
  - id: localai-sd
    kind: image
    provider: openai-compatible
    label: Stable Diffusion (LocalAI)
    capabilities:
      sizes: [512x512]
      formats: [PNG]
      num_images: { min: 1, max: 2 }
      input_image: none
    options: { server: localai, model: stablediffusion, response_format: b64_json }
prices:
  fal-ai/flux/schnell: { unit: megapixel, amount: "0.0035" }
disabled: [local-video-v1]
`;

const error = (text: string, file = "/etc/sorami/models.yaml") => {
  const result = parseCatalogFile(file, text);
  if (result.ok) {
    throw new Error("expected an error");
  }
  return result.error.message;
};

describe("the catalog file", () => {
  it("reads models, servers, prices and disabled models from YAML", () => {
    const result = parseCatalogFile("models.yaml", RECRAFT_YAML);
    expect(result.ok).toBe(true);
    if (!result.ok) {
      return;
    }
    const { entries, servers, prices, disabled } = result.value;
    expect(entries.map((e) => e.id)).toEqual(["fal-ai/recraft-v3", "localai-sd"]);
    expect(entries[0]).toMatchObject({
      provider: "fal",
      fallbacks: ["fal-ai/flux/dev"],
      capabilities: { qualities: ["standard", "high"], seed: false, negative_prompt: false },
      price: { unit: "image", amount: "0.04", as_of: "2026-12-04" },
      options: { output: "images[].url" },
    });
    expect(servers).toEqual([{ name: "localai", base_url: "http://gpu-box:8080", api_key_env: "LOCALAI_API_KEY" }]);
    expect(prices).toEqual({ "fal-ai/flux/schnell": { unit: "megapixel", amount: "0.0035" } });
    expect(disabled).toEqual(["local-video-v1"]);
  });

  it("reads the same file written as JSON", () => {
    const json = JSON.stringify({
      models: [
        {
          id: "fal-ai/recraft-v3",
          kind: "image",
          provider: "fal",
          label: "Recraft",
          capabilities: { sizes: ["1024x1024"], formats: ["PNG"], num_images: { min: 1, max: 1 }, input_image: "none" },
          options: { input: { prompt: "prompt" }, output: "images[].url" },
        },
      ],
    });
    const result = parseCatalogFile("models.json", json);
    expect(result.ok && result.value.entries[0]?.id).toBe("fal-ai/recraft-v3");
  });

  it("names the file, line, entry and field of a mistake", () => {
    expect(error(RECRAFT_YAML.replace("as: wh-object", "as: wh-objet"))).toBe(
      'models.yaml:21:37: models[0] "fal-ai/recraft-v3": options.input.size.as: must be one of value, string, number, wh-object, width-height, aspect-ratio, data-uri, base64',
    );
    expect(error(RECRAFT_YAML.replace("input_image: none\n    price", "input_image: never\n    price"))).toMatch(
      /^models\.yaml:15:20: models\[0\] "fal-ai\/recraft-v3": capabilities\.input_image: /,
    );
    expect(error(RECRAFT_YAML.replace("sizes: [1024x1024, 1536x1024]", "sizes: [1024x1024, 1000x1000]"))).toMatch(
      /^models\.yaml:12:26: models\[0\] "fal-ai\/recraft-v3": capabilities\.sizes\[1\]: /,
    );
  });

  it("points at an unknown field, a missing one and a mapping the capabilities need", () => {
    expect(
      error(RECRAFT_YAML.replace("    label: Recraft V3 (fal)\n", "    label: Recraft V3 (fal)\n    labl: x\n")),
    ).toBe('models.yaml:11:5: models[0] "fal-ai/recraft-v3": labl: is not a known field');
    expect(error(RECRAFT_YAML.replace("      output: images[].url\n", ""))).toMatch(
      /^models\.yaml:19:7: models\[0\] "fal-ai\/recraft-v3": options\.output: /,
    );
    expect(error(RECRAFT_YAML.replace("num_images: { min: 1, max: 1 }", "num_images: { min: 1, max: 4 }"))).toBe(
      'models.yaml:20:9: models[0] "fal-ai/recraft-v3": options.input.num_images: must be mapped: the capabilities allow more than one image per job',
    );
  });

  it("refuses a model on an undeclared server, duplicate ids and servers, and bad syntax", () => {
    expect(error(RECRAFT_YAML.replace("server: localai,", "server: comfy,"))).toBe(
      'models.yaml:32:24: models[1] "localai-sd": options.server: no server named comfy is declared under servers',
    );
    expect(error(RECRAFT_YAML.replace("id: localai-sd", "id: fal-ai/recraft-v3"))).toMatch(
      /^models\.yaml:23:9: models\[1\] "fal-ai\/recraft-v3": id: fal-ai\/recraft-v3 is already declared by models\[0\]$/,
    );
    expect(error(`${RECRAFT_YAML}servers: []\n`)).toMatch(/^models\.yaml:\d+:\d+: not valid YAML or JSON: /);
    expect(error("models: [\n  {id: x\n")).toMatch(/^models\.yaml:\d+:\d+: not valid YAML or JSON/);
    expect(error("models:\n  - 12\n")).toMatch(/^models\.yaml:2:5: models\[0\]: /);
    expect(error("servers:\n  - { name: Local AI, base_url: http://x }\n")).toBe(
      "models.yaml:2:13: servers[0].name: must be lower-case letters, digits and -",
    );
  });
});

describe("loadCatalogFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sorami-catalog-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("reads a file, and refuses a missing or oversized one naming it", async () => {
    const file = path.join(dir, "models.yaml");
    await writeFile(file, RECRAFT_YAML);
    expect((await loadCatalogFile(file)).ok).toBe(true);
    const missing = await loadCatalogFile(path.join(dir, "nope.yaml"));
    expect(!missing.ok && missing.error.message).toMatch(/^MODELS_FILE .*nope\.yaml cannot be read: /);
    const big = path.join(dir, "big.yaml");
    await writeFile(big, Buffer.alloc(CATALOG_FILE_MAX_BYTES + 1, 0x20));
    const refused = await loadCatalogFile(big);
    expect(!refused.ok && refused.error.message).toContain(`larger than ${CATALOG_FILE_MAX_BYTES} bytes`);
  });
});

describe("the documented example", () => {
  it("is a valid catalog file", async () => {
    const { readFile } = await import("node:fs/promises");
    const doc = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    const example = /\*\*Example: add a fal model[^\n]*\n+```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const result = parseCatalogFile("models.yaml", example);
    expect(result.ok ? result.value.entries.map((e) => e.id) : result.error.message).toEqual([
      "fal-ai/recraft-v3",
      "localai-sd",
    ]);
  });
});
