/**
 * The model worker (a worker thread; started by worker-boot.mjs). Upscales
 * run one after another; a screening request runs as soon as it arrives,
 * between two tiles of a running upscale, so screening never waits for a
 * whole upscale. After each tile the worker yields to its messages, reports
 * progress and stops if the request was canceled.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { FromWorker, ToWorker, WorkerData } from "./protocol";
import { classify, screener, startBackend, upscaleImage, upscaler } from "./tf-runtime";

if (!parentPort) {
  throw new Error("worker.ts runs as a worker thread");
}
const port = parentPort;
const { backend } = workerData as WorkerData;

let backendStarted: Promise<void> | null = null;
/** Requests received and not yet settled: a cancel for anything else (already answered) is dropped. */
const pending = new Set<number>();
const canceled = new Set<number>();
let upscales: Promise<void> = Promise.resolve();

class Canceled extends Error {}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Starts the backend once; returns the milliseconds this call spent on it. */
async function ensureBackend(): Promise<number> {
  const started = performance.now();
  const first = !backendStarted;
  if (!backendStarted) {
    backendStarted = startBackend(backend);
    backendStarted.catch(() => {
      backendStarted = null;
    });
  }
  await backendStarted;
  return first ? performance.now() - started : 0;
}

async function runUpscale(request: Extract<ToWorker, { type: "upscale" }>): Promise<void> {
  if (canceled.has(request.id)) {
    return;
  }
  const loadStarted = performance.now();
  const backendMs = await ensureBackend();
  const up = await upscaler(request.model, request.scale);
  const loadMs = backendMs + (up.loaded ? performance.now() - loadStarted - backendMs : 0);
  const runStarted = performance.now();
  const result = await upscaleImage(up, { ...request, rgb: new Uint8Array(request.pixels) }, async (done, total) => {
    post({ type: "progress", id: request.id, done, total });
    await yieldToMessages();
    if (canceled.has(request.id)) {
      throw new Canceled();
    }
  });
  const pixels = result.pixels.buffer as ArrayBuffer;
  post(
    {
      type: "upscaled",
      id: request.id,
      pixels,
      width: request.width * request.scale,
      height: request.height * request.scale,
      tiles: result.tiles,
      padding: result.padding,
      timings: { loadMs, runMs: performance.now() - runStarted },
    },
    [pixels],
  );
}

async function runScore(request: Extract<ToWorker, { type: "score" }>): Promise<void> {
  const loadStarted = performance.now();
  const backendMs = await ensureBackend();
  const { model, loaded } = await screener();
  const loadMs = backendMs + (loaded ? performance.now() - loadStarted - backendMs : 0);
  const runStarted = performance.now();
  const probabilities = await classify(model, new Uint8Array(request.pixels));
  post({ type: "scored", id: request.id, probabilities, timings: { loadMs, runMs: performance.now() - runStarted } });
}

async function settle(id: number, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    // A canceled request's caller has already been answered; anything else is reported.
    if (!(error instanceof Canceled)) {
      post({ type: "failed", id, message: error instanceof Error ? error.message : String(error) });
    }
  } finally {
    pending.delete(id);
    canceled.delete(id);
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "cancel") {
    if (pending.has(message.id)) {
      canceled.add(message.id);
    }
    return;
  }
  pending.add(message.id);
  if (message.type === "score") {
    void settle(message.id, () => runScore(message));
  } else {
    upscales = upscales.then(() => settle(message.id, () => runUpscale(message)));
  }
});
