import type { JobKind, ParamsOf, RemoteHandle } from "@sorami/contracts";

/** A kind's parameters (defined in contracts), here beside the interfaces that take them. */
export type { ParamsOf };

/** One file a provider made. Videos carry their length and a poster frame. */
export type GeneratedFile = {
  data: Buffer;
  /** Upper-case format name on the wire: PNG, JPEG, WEBP, MP4. */
  format: string;
  /** File extension for the storage key. */
  ext: string;
  width: number;
  height: number;
  description: string;
  durationSeconds?: number;
  poster?: { data: Buffer; ext: string };
};

export type ProviderContext = {
  jobId: string;
  /** 1 for the first run of the job, 2 for its first retry… */
  attempt: number;
  signal: AbortSignal;
  /** An input image the caller uploaded or its input_image_url gave (PNG/JPEG/WEBP by its bytes). */
  inputImage?: Buffer;
};

/** A model behind one interface; the pipeline never knows which. */
export interface Provider<K extends JobKind> {
  readonly name: string;
  readonly model: string;
  generate(
    params: ParamsOf<K>,
    ctx: ProviderContext,
  ): Promise<{ files: GeneratedFile[]; metadata: Record<string, unknown> }>;
}

/**
 * What went wrong with a provider call, in the terms the pipeline acts on:
 * the first three are worth retrying, the rest fail the job at once with a
 * message a user can read.
 */
export const PROVIDER_ERROR_KINDS = [
  "rate_limit",
  "timeout",
  "transient",
  "content_blocked",
  "no_output",
  "invalid_request",
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

export class ProviderError extends Error {
  /**
   * `message` is what the user reads: written by us or quoted from a vendor's
   * answer, never a library's internal text. That text goes in `cause`, which
   * is logged, not shown.
   */
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProviderError";
  }

  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "timeout" || this.kind === "transient";
  }
}

/** A provider's own handle on work it does for a job (stored before the first wait: see the contract). */
export type { RemoteHandle } from "@sorami/contracts";

/** What a provider says about work in progress. Nothing is invented: absent fields were not reported. */
export type ProviderProgress = {
  /** 0–100, only when the provider reports one (a percentage in its logs, ComfyUI's value/max). */
  percent?: number;
  /** The provider's words ("In queue — position 3"). */
  message?: string;
  queuePosition?: number;
  /** The provider's own status word (IN_QUEUE, processing, Pending…), for the operator. */
  providerStatus?: string;
  /** A live preview frame, small (JPEG/WEBP), when the engine streams one. */
  preview?: { data: Buffer; mimeType: string };
};

/** The provider no longer knows the handle (ComfyUI restarted and forgot its history): submit once more, recorded. */
export class RemoteLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RemoteLostError";
  }
}

export type AsyncProviderContext = ProviderContext & { onProgress: (progress: ProviderProgress) => void };

/**
 * A provider whose API is asynchronous (fal, Replicate, Veo, BFL, ComfyUI,
 * A1111 through its progress endpoint). The pipeline calls `submit`, stores
 * the handle, then `wait`s; a later run that finds a stored handle calls only
 * `wait`. Errors are ProviderErrors (or RemoteLostError from `wait`).
 */
export interface AsyncProvider<K extends JobKind> {
  readonly name: string;
  /** Starts the work; returns as soon as the provider has accepted it. */
  submit(params: ParamsOf<K>, ctx: ProviderContext): Promise<RemoteHandle>;
  /** Waits for the work behind `handle`, reports progress, downloads and returns its outputs. */
  wait(
    handle: RemoteHandle,
    params: ParamsOf<K>,
    ctx: AsyncProviderContext,
  ): Promise<{ files: GeneratedFile[]; metadata: Record<string, unknown> }>;
  /** Asks the provider to stop the work (best effort: a provider that already finished ignores it). */
  cancel(handle: RemoteHandle): Promise<void>;
}
