import type { ImageFormat, ImageParams } from "@sorami/contracts";

export type GeneratedImage = {
  data: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  description: string;
};

export type ProviderContext = {
  jobId: string;
  signal: AbortSignal;
};

/** An image model behind one interface; the pipeline never knows which. */
export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  generate(
    params: ImageParams,
    ctx: ProviderContext,
  ): Promise<{ images: GeneratedImage[]; metadata: Record<string, unknown> }>;
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
