/**
 * Messages between the engine (main thread) and the model worker. Pixel
 * buffers are transferred, not copied.
 */
import type { UpscaleScale } from "./limits";
import type { UpscaleModel } from "./model-files";

/**
 * TensorFlow.js backends that install from the registry alone. `wasm`
 * (XNNPACK, SIMD) is ~25× faster than the pure-JS `cpu` here; threads are
 * not available in Node (tfjs-backend-wasm turns them off there, and forcing
 * them fails: its pthreads are started from a blob: URL Node refuses).
 */
export const ML_BACKENDS = ["wasm", "cpu"] as const;
export type MlBackend = (typeof ML_BACKENDS)[number];

export interface WorkerData {
  backend: MlBackend;
}

export type ToWorker =
  | {
      type: "upscale";
      id: number;
      /** Interleaved RGB, width·height·3 bytes. */
      pixels: ArrayBuffer;
      width: number;
      height: number;
      scale: UpscaleScale;
      model: UpscaleModel;
      tileSide: number;
      /** Tile overlap in source pixels; absent: the model's receptive radius (no seams). */
      padding?: number;
    }
  | {
      type: "score";
      id: number;
      /** Interleaved RGB, SCREEN_INPUT_SIDE² · 3 bytes. */
      pixels: ArrayBuffer;
    }
  | { type: "cancel"; id: number };

/** How long a request took inside the worker, in milliseconds. */
export interface WorkerTimings {
  /** Backend start and model load, when this request paid for them (0 when warm). */
  loadMs: number;
  /** Inference (and tiling) alone. */
  runMs: number;
}

export type FromWorker =
  | { type: "progress"; id: number; done: number; total: number }
  | {
      type: "upscaled";
      id: number;
      pixels: ArrayBuffer;
      width: number;
      height: number;
      tiles: number;
      padding: number;
      timings: WorkerTimings;
    }
  | { type: "scored"; id: number; probabilities: number[]; timings: WorkerTimings }
  | { type: "failed"; id: number; message: string };
