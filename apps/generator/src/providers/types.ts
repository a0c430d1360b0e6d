import type { ImageParams, JobKind, VideoParams } from "@sorami/contracts";

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

export type ParamsOf<K extends JobKind> = K extends "image" ? ImageParams : VideoParams;

/** A model behind one interface; the pipeline never knows which. */
export interface Provider<K extends JobKind> {
  readonly name: string;
  readonly model: string;
  generate(
    params: ParamsOf<K>,
    ctx: ProviderContext,
  ): Promise<{ files: GeneratedFile[]; metadata: Record<string, unknown> }>;
}

export type Providers = { [K in JobKind]: Provider<K> };

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
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ProviderError";
  }

  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "timeout" || this.kind === "transient";
  }
}
