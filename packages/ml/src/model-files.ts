/**
 * Where the models' weights are on disk and what they are, read from the npm
 * packages that ship them. Nothing here downloads: the ESRGAN packages hold
 * `models/x{scale}/model.json` and its `.bin` shard, nsfwjs holds its model
 * and weights as JavaScript modules; both are read from node_modules.
 * No TensorFlow.js here: the main thread may import this module.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { UpscaleScale } from "./limits";

const require = createRequire(import.meta.url);

/** The ESRGAN sizes offered ("thick", 120 MB and ~10× slower than slim, is not). */
export const UPSCALE_MODELS = ["slim", "medium"] as const;
export type UpscaleModel = (typeof UPSCALE_MODELS)[number];

const UPSCALE_PACKAGES: Record<UpscaleModel, string> = {
  slim: "@upscalerjs/esrgan-slim",
  medium: "@upscalerjs/esrgan-medium",
};

/** What an @upscalerjs model definition says about its files and value ranges (the part used here). */
interface UpscalerDefinition {
  scale: number;
  modelType: string;
  inputRange?: [number, number];
  outputRange?: [number, number];
  _internals: { path: string; name: string };
}

/** The parts of a TensorFlow.js layers-model JSON this package reads. */
export interface LayersModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

/** A model ready to hand to tf.loadLayersModel: its JSON and its weights concatenated in manifest order. */
export interface ModelArtifactsOnDisk {
  json: LayersModelJson;
  weights: ArrayBuffer;
}

/** The directory of a package, found from one of its exported entry points (their `exports` omit package.json). */
function packageRoot(entry: string, name: string): string {
  let dir = path.dirname(require.resolve(entry));
  while (dir !== path.dirname(dir)) {
    try {
      const manifest = require(path.join(dir, "package.json")) as { name?: string };
      if (manifest.name === name) {
        return dir;
      }
    } catch {
      // No package.json at this level: keep climbing.
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the package root of ${name}`);
}

/**
 * The model.json path of an ESRGAN model, from the package's own definition
 * for that scale. The definition is checked so that a package update that
 * changes the value ranges fails loudly instead of producing wrong colours.
 */
export function esrganModelPath(model: UpscaleModel, scale: UpscaleScale): string {
  const name = UPSCALE_PACKAGES[model];
  const entry = `${name}/${scale}x`;
  const definition = require(entry) as UpscalerDefinition;
  const range = (r?: [number, number]) => JSON.stringify(r);
  if (
    definition.scale !== scale ||
    definition.modelType !== "layers" ||
    range(definition.inputRange) !== "[0,255]" ||
    range(definition.outputRange) !== "[0,255]"
  ) {
    throw new Error(`${entry} is not a ×${scale} layers model on 0–255 values`);
  }
  return path.join(packageRoot(entry, name), definition._internals.path);
}

function concat(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

/** Reads a layers model.json and its shards (paths relative to it) from disk. */
export async function readLayersModel(modelJsonPath: string): Promise<ModelArtifactsOnDisk> {
  const json = JSON.parse(await readFile(modelJsonPath, "utf8")) as LayersModelJson;
  const dir = path.dirname(modelJsonPath);
  const shards = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(path.join(dir, p)))),
  );
  return { json, weights: concat(shards) };
}

/**
 * nsfwjs's MobileNetV2 (the smallest of its three, 3.5 MB of weights). The
 * package ships the model JSON and the base64 weights as modules behind its
 * `nsfwjs/models/mobilenet_v2` entry; importing them reads files, nothing else.
 */
export async function readNsfwModel(): Promise<ModelArtifactsOnDisk> {
  const { MobileNetV2Model } = await import("nsfwjs/models/mobilenet_v2");
  const json = ((await MobileNetV2Model.modelJson()) as { default: LayersModelJson }).default;
  const shards: Uint8Array[] = [];
  for (const [index, group] of json.weightsManifest.entries()) {
    const load = MobileNetV2Model.weightBundles[index];
    if (!load || group.paths.length !== 1) {
      throw new Error("nsfwjs MobileNetV2: unexpected weight layout");
    }
    const base64 = ((await load()) as { default: string }).default;
    shards.push(Buffer.from(base64, "base64"));
  }
  return { json, weights: concat(shards) };
}

/** Layer classes whose output pixel depends only on nearby input pixels, so a model built of them can be tiled. */
const LOCAL_LAYERS = new Set(["InputLayer", "Conv2D", "Activation", "Add", "Concatenate", "UpSampling2D"]);

interface KerasLayer {
  class_name: string;
  config: { kernel_size?: number[]; dilation_rate?: number[]; strides?: number[]; size?: number[] };
}

/**
 * How many source pixels of context, at most, one output pixel of this model
 * depends on, in each direction: the sum of the convolutions' radii (an upper
 * bound of the longest path), those after the upsampling counted in source
 * pixels (rounded up). This is the overlap a tile needs so its kept core is
 * computed exactly as in one whole-image pass. Throws for a layer that is not
 * local (pooling, dense…), where tiling would change the result.
 */
export function receptiveRadius(json: LayersModelJson, scale: number): number {
  const config = json.modelTopology.model_config as { config?: { layers?: KerasLayer[] } } | undefined;
  const layers = config?.config?.layers;
  if (!layers) {
    throw new Error("model.json has no layer list");
  }
  let before = 0;
  let after = 0;
  let upsampled = false;
  for (const layer of layers) {
    if (!LOCAL_LAYERS.has(layer.class_name)) {
      throw new Error(`layer ${layer.class_name} is not local: this model cannot be tiled`);
    }
    const { kernel_size: kernel, dilation_rate: dilation = [1, 1], strides = [1, 1] } = layer.config;
    if (layer.class_name === "UpSampling2D") {
      upsampled = true;
    }
    if (layer.class_name !== "Conv2D") {
      continue;
    }
    if (!kernel || strides.some((s) => s !== 1)) {
      throw new Error("a strided or kernel-less convolution: this model cannot be tiled");
    }
    const radius = Math.max(...kernel.map((k, i) => ((k - 1) / 2) * (dilation[i] ?? 1)));
    if (upsampled) {
      after += radius;
    } else {
      before += radius;
    }
  }
  return before + Math.ceil(after / scale);
}
