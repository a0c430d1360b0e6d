import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobKind, ParamsOf } from "@sorami/contracts";
import { FfmpegError } from "./ffmpeg";
import { type GeneratedFile, type Provider, type ProviderContext, ProviderError } from "./types";

/** What the user reads when the local renderer cannot make a file from a request (its own words are logged). */
export const LOCAL_RENDER_FAILED_MESSAGE =
  "The local renderer could not make a file from this request (its prompt or input image)";

/**
 * A local render that failed, in the pipeline's terms. libvips refusing the
 * drawing or the input image, or ffmpeg exiting with an error, is decided by
 * the request: the same request fails the same way, so it fails the job at
 * once (a U+FFFF prompt once failed four runs as "transient", 37 s, then
 * showed the user a libvips XML parse error). A system error (no disk space,
 * too many open files) or ffmpeg killed by a signal (out of memory) may not
 * happen again: left to the pipeline, which retries it.
 */
export function renderFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || error instanceof ProviderError) {
    return error;
  }
  const systemError = typeof (error as NodeJS.ErrnoException)?.code === "string";
  const killed = error instanceof FfmpegError && error.exitCode === null;
  if (systemError || killed || !(error instanceof Error)) {
    return error;
  }
  return new ProviderError("invalid_request", LOCAL_RENDER_FAILED_MESSAGE, undefined, { cause: error });
}

/** A number in [0, 1) fixed by the text: the same job and attempt always fail or succeed alike. */
function unitHash(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The local providers make real files offline, with no model: for trying
 * Sorami out, for tests and for benchmarks. `delayMs` stands in for a
 * model's latency; then `count` files are rendered one after another.
 */
export class LocalProvider<K extends JobKind> implements Provider<K> {
  readonly name = "local";

  constructor(
    readonly model: string,
    private readonly delayMs: number,
    private readonly count: (params: ParamsOf<K>) => number,
    private readonly render: (params: ParamsOf<K>, index: number, ctx: ProviderContext) => Promise<GeneratedFile>,
    /** Fault injection for the fault suite: this share of runs fails as a transient outage would. */
    private readonly transientFailureRate = 0,
  ) {}

  async generate(params: ParamsOf<K>, ctx: ProviderContext) {
    const started = Date.now();
    if (this.delayMs > 0) {
      await sleep(this.delayMs, undefined, { signal: ctx.signal });
    }
    if (this.transientFailureRate > 0 && unitHash(`${ctx.jobId}:${ctx.attempt}`) < this.transientFailureRate) {
      throw new ProviderError("transient", "The model is temporarily unavailable (simulated)", 500);
    }
    const files: GeneratedFile[] = [];
    for (let i = 0; i < this.count(params); i++) {
      try {
        files.push(await this.render(params, i, ctx));
      } catch (error) {
        throw renderFailure(error, ctx.signal);
      }
    }
    return {
      files,
      metadata: { provider: this.name, model_name: this.model, render_ms: Date.now() - started - this.delayMs },
    };
  }
}
