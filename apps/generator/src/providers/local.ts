import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { JobKind, ParamsOf } from "@sorami/contracts";
import { type GeneratedFile, type Provider, type ProviderContext, ProviderError } from "./types";

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
      files.push(await this.render(params, i, ctx));
    }
    return {
      files,
      metadata: { provider: this.name, model_name: this.model, render_ms: Date.now() - started - this.delayMs },
    };
  }
}
