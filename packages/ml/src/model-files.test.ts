import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { esrganModelPath, type LayersModelJson, readLayersModel, readNsfwModel, receptiveRadius } from "./model-files";

const json = async (model: "slim" | "medium", scale: 2 | 4) =>
  JSON.parse(await readFile(esrganModelPath(model, scale), "utf8")) as LayersModelJson;

describe("the models on disk", () => {
  it("finds each ESRGAN model.json inside its npm package, per scale", () => {
    expect(esrganModelPath("slim", 2)).toMatch(/node_modules\/@upscalerjs\/esrgan-slim\/models\/x2\/model\.json$/);
    expect(esrganModelPath("medium", 4)).toMatch(/node_modules\/@upscalerjs\/esrgan-medium\/models\/x4\/model\.json$/);
  });

  it("reads an ESRGAN model's weights whole: the shard sizes add up to the manifest's tensors", async () => {
    const { json: model, weights } = await readLayersModel(esrganModelPath("slim", 2));
    const floats = model.weightsManifest
      .flatMap((g) => g.weights as { shape: number[]; dtype: string }[])
      .reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
    expect(weights.byteLength).toBe(floats * 4);
  });

  it("reads nsfwjs's MobileNetV2 from the package's own modules", async () => {
    const { json: model, weights } = await readNsfwModel();
    expect(JSON.stringify(model.modelTopology)).toContain('"batch_input_shape":[null,224,224,3]');
    expect(weights.byteLength).toBeGreaterThan(2_000_000);
  });
});

describe("receptiveRadius", () => {
  it("sums the convolutions' radii: slim 9 + 1, medium 17 + 1 (the last convolution runs after the upsampling)", async () => {
    expect(receptiveRadius(await json("slim", 2), 2)).toBe(10);
    expect(receptiveRadius(await json("slim", 4), 4)).toBe(10);
    expect(receptiveRadius(await json("medium", 2), 2)).toBe(18);
  });

  it("refuses a model with a layer whose output depends on the whole image", async () => {
    const model = await json("slim", 2);
    const config = model.modelTopology.model_config as { config: { layers: unknown[] } };
    config.config.layers.push({ class_name: "GlobalAveragePooling2D", config: {} });
    expect(() => receptiveRadius(model, 2)).toThrow(/cannot be tiled/);
  });
});
