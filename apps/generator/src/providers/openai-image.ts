import { type CatalogEntry, type ImageParams, parseSize } from "@sorami/contracts";
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import sharp from "sharp";
import { IMAGE_EXT, toRequestedImage } from "./encode";
import { checkCapabilities, vendorModelOf } from "./entry";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, retryAfterMs, withRetries } from "./retry";
import { type GeneratedFile, type Provider, type ProviderContext, ProviderError } from "./types";

/** A GPT image at high quality can take a minute or two; past this the call is abandoned. */
export const OPENAI_REQUEST_TIMEOUT_MS = 300_000;

/**
 * An OpenAI client with the SDK's own retries off: Sorami retries itself
 * (withRetries), so a long Retry-After goes to the queue instead of holding
 * a worker, the same way for every vendor.
 */
export function createOpenAIClient(options: { apiKey: string; baseUrl?: string }): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    maxRetries: 0,
    timeout: OPENAI_REQUEST_TIMEOUT_MS,
  });
}

/** Who answered, for messages: OpenAI itself, or an OpenAI-compatible server (LocalAI, a gateway). */
export type OpenAIVendor = { api: string; keyVariable: string; safety: string };
export const OPENAI_VENDOR: OpenAIVendor = {
  api: "The OpenAI API",
  keyVariable: "OPENAI_API_KEY",
  safety: "OpenAI's safety system",
};

/** Turns what the openai SDK throws into the pipeline's terms. */
export function openaiError(error: unknown, vendor: OpenAIVendor = OPENAI_VENDOR): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof APIUserAbortError) {
    return new ProviderError("timeout", `${vendor.api} call was stopped`);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError("timeout", `${vendor.api} did not answer in time`);
  }
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    const said = excerpt((error.error as { message?: string } | undefined)?.message ?? error.message);
    const code = typeof error.code === "string" ? error.code : "";
    if (code === "moderation_blocked" || code === "content_policy_violation") {
      return new ProviderError("content_blocked", `The prompt was blocked by ${vendor.safety}: ${said}`);
    }
    if (status === 429 && code === "insufficient_quota") {
      return new ProviderError(
        "invalid_request",
        `${vendor.api} account is out of quota; the operator should check billing. ${said}`,
      );
    }
    if (status === 429) {
      const ms = Number(error.headers?.get("retry-after-ms") ?? Number.NaN);
      const retryAfter = Number.isFinite(ms) ? ms : retryAfterMs(error.headers?.get("retry-after"));
      return new ProviderError("rate_limit", `${vendor.api} is rate-limiting Sorami (HTTP 429): ${said}`, retryAfter);
    }
    if (status === 408 || status === 409 || status >= 500) {
      return new ProviderError("transient", `${vendor.api} had a temporary error (HTTP ${status}): ${said}`);
    }
    if (status === 401 || status === 403) {
      return new ProviderError(
        "invalid_request",
        `${vendor.api} refused Sorami's API key (HTTP ${status}); the operator should check ${vendor.keyVariable}. ${said}`,
      );
    }
    return new ProviderError("invalid_request", `${vendor.api} refused the request (HTTP ${status}): ${said}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError("transient", `${vendor.api} could not be reached: ${excerpt(message)}`);
}

/** Sorami's two qualities on the GPT image scale (low | medium | high). */
const QUALITY = { standard: "medium", high: "high" } as const;

/**
 * OpenAI's GPT image models through images.generate: all images of a job
 * in one call (`n`), at one of the three native sizes, in the requested
 * format; the images come back base64-encoded.
 */
export class OpenAIImageProvider implements Provider<"image"> {
  readonly name = "openai";
  readonly model: string;
  /** OpenAI's model name: the entry's options.model (OPENAI_IMAGE_MODEL) or its id. */
  private readonly vendorModel: string;

  constructor(
    private readonly client: OpenAI,
    private readonly entry: CatalogEntry,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.model = entry.id;
    this.vendorModel = vendorModelOf(entry);
  }

  async generate(params: ImageParams, ctx: ProviderContext) {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const response = await withRetries(
      () =>
        this.client.images.generate(
          {
            model: this.vendorModel,
            prompt: `${params.prompt}\n\nStyle: ${params.style.replaceAll("-", " ")}.`,
            n: params.num_images,
            size: params.size as "1024x1024" | "1536x1024" | "1024x1536",
            quality: QUALITY[params.quality],
            output_format: params.format.toLowerCase() as "png" | "jpeg" | "webp",
          },
          { signal: ctx.signal },
        ),
      openaiError,
      ctx.signal,
      this.retry,
    );
    const images = (response.data ?? []).filter((d) => d.b64_json);
    if (images.length === 0) {
      throw new ProviderError("no_output", "OpenAI returned no image and gave no reason");
    }
    const { width, height } = parseSize(params.size);
    const files: GeneratedFile[] = [];
    for (const image of images) {
      let data: Buffer = Buffer.from(image.b64_json ?? "", "base64");
      const meta = await sharp(data)
        .metadata()
        .catch(() => null);
      const wanted = { PNG: "png", JPEG: "jpeg", WEBP: "webp" }[params.format];
      // Native size and format are asked for; anything else is converted rather than stored as is.
      if (!meta || meta.format !== wanted || meta.width !== width || meta.height !== height) {
        data = (await toRequestedImage(data, params)).data;
      }
      files.push({
        data,
        format: params.format,
        ext: IMAGE_EXT[params.format],
        width,
        height,
        description: params.prompt,
      });
    }
    const usage = response.usage;
    return {
      files,
      metadata: {
        provider: this.name,
        model_name: this.model,
        vendor_model: this.vendorModel,
        ...(usage
          ? { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, total_tokens: usage.total_tokens }
          : {}),
      },
    };
  }
}
