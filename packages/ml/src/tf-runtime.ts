/**
 * TensorFlow.js inside the model worker: the backend, the models (loaded
 * once, from disk) and the two inferences. Only the worker imports this
 * module, so nothing of TensorFlow.js loads in a process until first use.
 */
import { createRequire } from "node:module";
import path from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { type LayersModel, loadLayersModel } from "@tensorflow/tfjs-layers";
import { SCREEN_INPUT_SIDE, type UpscaleScale } from "./limits";
import {
  esrganModelPath,
  type ModelArtifactsOnDisk,
  readLayersModel,
  readNsfwModel,
  receptiveRadius,
  type UpscaleModel,
} from "./model-files";
import type { MlBackend } from "./protocol";
import { planTiles, readRegion, type Tile, writeCore } from "./tiles";

const require = createRequire(import.meta.url);

/**
 * Starts the backend. The wasm binaries are read from the package's own
 * directory on disk (Emscripten reads a file path with fs in Node; nothing is
 * fetched). A backend that fails to start is an error, not a silent fallback
 * to a 25× slower one.
 */
export async function startBackend(backend: MlBackend): Promise<void> {
  // Production mode: no per-op NaN checks, and no console banner advertising tfjs-node.
  tf.enableProdMode();
  if (backend === "wasm") {
    const wasmDir = path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    setWasmPaths(`${wasmDir}${path.sep}`);
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  }
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`the ${backend} TensorFlow.js backend did not start`);
  }
}

/**
 * Builds the model from artifacts read from disk (an IOHandler of our own:
 * tf's loaders would fetch a URL), then runs it once on zeros: the first
 * inference of a model on the wasm backend sets up its kernels and costs
 * several times a normal one, and it belongs to the load, not to a request.
 */
async function toModel(artifacts: ModelArtifactsOnDisk, warmUpShape: number[]): Promise<LayersModel> {
  const weightSpecs = artifacts.json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[];
  const model = await loadLayersModel({
    load: async () => ({
      modelTopology: artifacts.json.modelTopology,
      format: artifacts.json.format,
      weightSpecs,
      weightData: artifacts.weights,
    }),
  });
  const output = tf.tidy(() => model.predict(tf.zeros(warmUpShape)) as tf.Tensor);
  await output.data();
  output.dispose();
  return model;
}

interface Upscaler {
  model: LayersModel;
  radius: number;
}

const upscalers = new Map<string, Promise<Upscaler>>();
let nsfwModel: Promise<LayersModel> | null = null;

/** The ESRGAN model for this size and scale, loaded on first use and kept; `loaded` tells whether this call loaded it. */
export async function upscaler(model: UpscaleModel, scale: UpscaleScale): Promise<Upscaler & { loaded: boolean }> {
  const key = `${model}x${scale}`;
  let entry = upscalers.get(key);
  const loaded = !entry;
  if (!entry) {
    entry = (async () => {
      const artifacts = await readLayersModel(esrganModelPath(model, scale));
      const radius = receptiveRadius(artifacts.json, scale);
      return { model: await toModel(artifacts, [1, 2 * radius + 8, 2 * radius + 8, 3]), radius };
    })();
    // A failed load is not cached: the next request tries again.
    entry.catch(() => upscalers.delete(key));
    upscalers.set(key, entry);
  }
  return { ...(await entry), loaded };
}

/** nsfwjs's MobileNetV2, loaded on first use and kept. */
export async function screener(): Promise<{ model: LayersModel; loaded: boolean }> {
  const loaded = !nsfwModel;
  if (!nsfwModel) {
    nsfwModel = readNsfwModel().then((artifacts) => toModel(artifacts, [1, SCREEN_INPUT_SIDE, SCREEN_INPUT_SIDE, 3]));
    nsfwModel.catch(() => {
      nsfwModel = null;
    });
  }
  return { model: await nsfwModel, loaded };
}

/** Upscales one tile's region of an RGB image; returns the region's result as floats (0–255). */
export async function upscaleTile(
  model: LayersModel,
  image: { rgb: Uint8Array; width: number; height: number },
  tile: Tile,
): Promise<Float32Array> {
  const region = readRegion(image.rgb, image.width, image.height, tile.region);
  const input = tf.tensor4d(region, [1, tile.region.height, tile.region.width, 3]);
  const output = model.predict(input) as tf.Tensor;
  input.dispose();
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}

/**
 * Runs the tiles in order into one output image, awaiting `between` after
 * each (where the worker yields to its messages, reports progress and checks
 * for a cancel).
 */
export async function upscaleImage(
  up: Upscaler,
  request: { rgb: Uint8Array; width: number; height: number; scale: number; tileSide: number; padding?: number },
  between: (done: number, total: number) => Promise<void>,
): Promise<{ pixels: Uint8ClampedArray; tiles: number; padding: number }> {
  const padding = request.padding ?? up.radius;
  const tiles = planTiles(request.width, request.height, request.tileSide, padding);
  const outputWidth = request.width * request.scale;
  const pixels = new Uint8ClampedArray(outputWidth * request.height * request.scale * 3);
  for (const [index, tile] of tiles.entries()) {
    const upscaled = await upscaleTile(up.model, request, tile);
    writeCore(pixels, outputWidth, upscaled, tile, request.scale);
    await between(index + 1, tiles.length);
  }
  return { pixels, tiles: tiles.length, padding };
}

/** The five class probabilities (nsfwjs's order) of a SCREEN_INPUT_SIDE² RGB image, scaled to 0–1 as nsfwjs does. */
export async function classify(model: LayersModel, rgb: Uint8Array): Promise<number[]> {
  const output = tf.tidy(() => {
    const input = tf.div(tf.tensor4d(Float32Array.from(rgb), [1, SCREEN_INPUT_SIDE, SCREEN_INPUT_SIDE, 3]), 255);
    return model.predict(input) as tf.Tensor;
  });
  try {
    return Array.from(await output.data());
  } finally {
    output.dispose();
  }
}
