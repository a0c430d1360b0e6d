/**
 * The main thread's side of the model worker: one worker per engine (one
 * engine per process: `defaultMlEngine()`), started on the first request,
 * ended after ML_IDLE_EXIT_MS without work, so a process that never upscales
 * or screens never loads TensorFlow.js. Requests wait in a bounded line;
 * a full line is refused at once (503 `unavailable`), never queued unbounded.
 */
import { Worker } from "node:worker_threads";
import { AppError } from "@sorami/contracts";
import { ML_IDLE_EXIT_MS, SCREEN_MAX_PENDING, UPSCALE_MAX_PENDING } from "./limits";
import type { FromWorker, MlBackend, ToWorker, WorkerData, WorkerTimings } from "./protocol";

export type { MlBackend } from "./protocol";

export interface MlEngineOptions {
  /** Default `wasm`; `cpu` (pure JavaScript) exists for measuring and as an escape hatch. */
  backend?: MlBackend;
  idleExitMs?: number;
  maxPendingUpscales?: number;
  maxPendingScores?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** What the worker's upscale message carries besides the pixels (size, scale, model, tiling). */
type UpscaleParameters = Omit<Extract<ToWorker, { type: "upscale" }>, "type" | "id" | "pixels">;

export interface UpscalePixelsRequest extends RequestOptions, UpscaleParameters {
  /** Interleaved RGB, width·height·3 bytes. */
  rgb: Uint8Array;
  onProgress?: (doneTiles: number, totalTiles: number) => void;
}

export interface UpscaledPixels {
  rgb: Uint8Array;
  width: number;
  height: number;
  tiles: number;
  padding: number;
  timings: WorkerTimings;
}

type Kind = "upscale" | "score";
type Outcome = Extract<FromWorker, { type: "upscaled" | "scored" }>;

interface Pending {
  kind: Kind;
  resolve: (message: Outcome) => void;
  reject: (error: unknown) => void;
  onProgress?: (done: number, total: number) => void;
  cleanup: () => void;
}

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;

export class MlEngine {
  readonly backend: MlBackend;
  readonly #idleExitMs: number;
  readonly #maxPending: Record<Kind, number>;
  #worker: Worker | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #starts = 0;

  constructor(options: MlEngineOptions = {}) {
    this.backend = options.backend ?? "wasm";
    this.#idleExitMs = options.idleExitMs ?? ML_IDLE_EXIT_MS;
    this.#maxPending = {
      upscale: options.maxPendingUpscales ?? UPSCALE_MAX_PENDING,
      score: options.maxPendingScores ?? SCREEN_MAX_PENDING,
    };
  }

  /** Whether a worker is alive now. */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** How many workers this engine has started (a restart after idling counts again). */
  get workerStarts(): number {
    return this.#starts;
  }

  async upscalePixels(request: UpscalePixelsRequest): Promise<UpscaledPixels> {
    const pixels = transferableCopy(request.rgb);
    const message = { type: "upscale", ...pick(request), pixels } as const;
    const result = await this.#request("upscale", message, [pixels], request.signal, request.onProgress);
    if (result.type !== "upscaled") {
      throw new Error("the ML worker answered an upscale with something else");
    }
    const { width, height, tiles, padding, timings } = result;
    return { rgb: new Uint8Array(result.pixels), width, height, tiles, padding, timings };
  }

  /** The five class probabilities of a SCREEN_INPUT_SIDE² RGB image. */
  async scorePixels(
    rgb: Uint8Array,
    options: RequestOptions = {},
  ): Promise<{ probabilities: number[]; timings: WorkerTimings }> {
    const pixels = transferableCopy(rgb);
    const result = await this.#request("score", { type: "score", pixels }, [pixels], options.signal);
    if (result.type !== "scored") {
      throw new Error("the ML worker answered a score with something else");
    }
    return { probabilities: result.probabilities, timings: result.timings };
  }

  /** Ends the worker now; pending requests fail. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#detach(new Error("the ML engine was stopped"));
    await worker?.terminate();
  }

  #request(
    kind: Kind,
    message: Distribute<Exclude<ToWorker, { type: "cancel" }>>,
    transfer: ArrayBuffer[],
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<Outcome> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    const waiting = [...this.#pending.values()].filter((p) => p.kind === kind).length;
    if (waiting >= this.#maxPending[kind]) {
      return Promise.reject(
        new AppError("unavailable", `The model worker already has ${waiting} ${kind} requests; try again shortly.`),
      );
    }
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise<Outcome>((resolve, reject) => {
      const onAbort = () => {
        this.#settle(id);
        worker.postMessage({ type: "cancel", id } satisfies ToWorker);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener("abort", onAbort);
      this.#pending.set(id, { kind, resolve, reject, onProgress, cleanup });
      worker.postMessage({ ...message, id } as ToWorker, transfer);
    });
  }

  #ensureWorker(): Worker {
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (this.#worker) {
      this.#worker.ref();
      return this.#worker;
    }
    const worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
      workerData: { backend: this.backend } satisfies WorkerData,
    });
    this.#starts++;
    worker.on("message", (message: FromWorker) => this.#onMessage(message));
    worker.on("error", (error) => {
      if (this.#worker === worker) {
        this.#detach(new Error(`the ML worker failed: ${error.message}`));
      }
    });
    worker.on("exit", (code) => {
      if (this.#worker === worker) {
        this.#detach(new Error(`the ML worker exited (code ${code})`));
      }
    });
    this.#worker = worker;
    return worker;
  }

  #onMessage(message: FromWorker): void {
    const pending = this.#pending.get(message.id);
    if (!pending) {
      // Canceled meanwhile: its caller has its answer already.
      return;
    }
    if (message.type === "progress") {
      try {
        pending.onProgress?.(message.done, message.total);
      } catch (error) {
        this.#settle(message.id);
        this.#worker?.postMessage({ type: "cancel", id: message.id } satisfies ToWorker);
        pending.reject(error);
      }
      return;
    }
    this.#settle(message.id);
    if (message.type === "failed") {
      pending.reject(new Error(`the ML worker failed: ${message.message}`));
    } else {
      pending.resolve(message);
    }
  }

  /** Forgets a request; with none left, the worker stops holding the process open and ends after the idle time. */
  #settle(id: number): void {
    this.#pending.get(id)?.cleanup();
    this.#pending.delete(id);
    const worker = this.#worker;
    if (this.#pending.size === 0 && worker) {
      worker.unref();
      this.#idleTimer = setTimeout(() => {
        if (this.#worker === worker && this.#pending.size === 0) {
          this.#worker = null;
          this.#idleTimer = null;
          void worker.terminate();
        }
      }, this.#idleExitMs);
      this.#idleTimer.unref();
    }
  }

  /** Drops the current worker and fails everything it held. */
  #detach(error: Error): void {
    if (this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    this.#worker = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      p.cleanup();
      p.reject(error);
    }
  }
}

/**
 * The worker takes the pixels' memory, so it gets a copy it can own. Not
 * `buffer.slice()` (a Buffer's slice is a view of the same memory) nor the
 * Buffer's own ArrayBuffer (sharp's are external memory, which Node 22+
 * refuses to transfer, and a pooled one holds other data too).
 */
function transferableCopy(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer as ArrayBuffer;
}

function pick(request: UpscalePixelsRequest): UpscaleParameters {
  const { width, height, scale, model, tileSide, padding } = request;
  return { width, height, scale, model, tileSide, padding };
}

let shared: MlEngine | null = null;

/** The process's engine (one worker per process), created on first use with the defaults. */
export function defaultMlEngine(): MlEngine {
  shared ??= new MlEngine();
  return shared;
}
