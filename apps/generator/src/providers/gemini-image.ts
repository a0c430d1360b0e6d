import type { GenerateContentResponse, GoogleGenAI, Part } from "@google/genai";
import {
  type CatalogEntry,
  GEMINI_IMAGE_ASPECT_RATIOS,
  type ImageParams,
  nearestGeminiAspectRatio,
  parseSize,
  sniffImageType,
} from "@sorami/contracts";
import { IMAGE_EXT, toRequestedImage } from "./encode";
import { checkCapabilities, vendorModelOf } from "./entry";
import { googleError } from "./google";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, withRetries } from "./retry";
import { type GeneratedFile, type Provider, type ProviderContext, ProviderError } from "./types";

/**
 * Gemini calls in flight per job. The API makes one image per call; two at
 * once halves a 4-image job's wall time while staying far below the
 * per-minute request limits of a paid key (and near those of a free one).
 */
export const GEMINI_IMAGE_CONCURRENCY = 2;

/** Finish reasons that mean a safety filter stopped the image. */
const BLOCKED_FINISH_REASONS = new Set([
  "SAFETY",
  "IMAGE_SAFETY",
  "PROHIBITED_CONTENT",
  "IMAGE_PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "RECITATION",
  "IMAGE_RECITATION",
]);

const MIME = { PNG: "image/png", JPEG: "image/jpeg", WEBP: "image/webp" } as const;

type Usage = { input_tokens: number; output_tokens: number; total_tokens: number };

/** The text sent with each call: the prompt, then the style as a plain instruction. */
export function geminiPrompt(params: ImageParams, withInputImage: boolean): string {
  const style = params.style.replaceAll("-", " ");
  return [params.prompt, `Style: ${style}.`, withInputImage ? "Use the attached image as the starting point." : null]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * Reads one generateContent answer: the first image part, or why there is
 * none, in words a user can act on (a safety block, a text-only answer).
 */
export function imageFromResponse(response: GenerateContentResponse): Buffer {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) {
    const why = response.promptFeedback?.blockReasonMessage;
    throw new ProviderError(
      "content_blocked",
      `The prompt was blocked by Gemini's safety filters (${blocked})${why ? `: ${excerpt(why)}` : ""}`,
    );
  }
  const candidate = response.candidates?.[0];
  if (!candidate) {
    throw new ProviderError("no_output", "Gemini returned no answer and gave no reason");
  }
  const parts = candidate.content?.parts ?? [];
  const image = parts.find((p) => p.inlineData?.data && p.inlineData.mimeType?.startsWith("image/"));
  if (image?.inlineData?.data) {
    return Buffer.from(image.inlineData.data, "base64");
  }
  const reason = candidate.finishReason ?? "no reason given";
  const text = excerpt(parts.map((p) => p.text ?? "").join(" "), 240);
  if (BLOCKED_FINISH_REASONS.has(reason)) {
    throw new ProviderError(
      "content_blocked",
      `The image was blocked by Gemini's safety filters (${reason})${text ? `: ${text}` : ""}`,
    );
  }
  throw new ProviderError(
    "no_output",
    text
      ? `Gemini answered with text instead of an image (${reason}): “${text}”`
      : `Gemini returned no image (${reason})`,
  );
}

/** Runs fn(0..count-1) with at most `limit` at once; the first failure stops the rest. */
async function mapBounded<T>(
  count: number,
  limit: number,
  signal: AbortSignal,
  fn: (index: number, signal: AbortSignal) => Promise<T>,
): Promise<T[]> {
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !inner.aborted) {
      const index = next++;
      results[index] = await fn(index, inner);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  } catch (error) {
    stop.abort();
    throw error;
  }
  return results;
}

/**
 * Gemini 2.5 Flash Image through the Gemini API: one generateContent call
 * per requested image (the model makes one per call), at the supported
 * aspect ratio nearest to the requested size; the PNG it returns is resized
 * and converted to the requested size and format (the API takes neither).
 */
export class GeminiImageProvider implements Provider<"image"> {
  readonly name = "gemini";
  readonly model: string;
  /** The Gemini API's model name: the entry's options.model (GEMINI_IMAGE_MODEL) or its id. */
  private readonly vendorModel: string;

  constructor(
    private readonly ai: GoogleGenAI,
    private readonly entry: CatalogEntry,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.model = entry.id;
    this.vendorModel = vendorModelOf(entry);
  }

  async generate(params: ImageParams, ctx: ProviderContext) {
    checkCapabilities(this.entry, params, ctx.inputImage);
    const { width, height } = parseSize(params.size);
    const aspectRatio = nearestGeminiAspectRatio(width, height);
    const parts: Part[] = [{ text: geminiPrompt(params, Boolean(ctx.inputImage)) }];
    if (ctx.inputImage) {
      const type = sniffImageType(ctx.inputImage);
      if (!type) {
        throw new ProviderError("invalid_request", "The input image is not a PNG, JPEG or WEBP image");
      }
      parts.push({ inlineData: { mimeType: MIME[type], data: ctx.inputImage.toString("base64") } });
    }
    const usage: Usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    const files = await mapBounded(params.num_images, GEMINI_IMAGE_CONCURRENCY, ctx.signal, async (_i, signal) => {
      const response = await withRetries(
        () =>
          this.ai.models.generateContent({
            model: this.vendorModel,
            contents: [{ role: "user", parts }],
            config: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio }, abortSignal: signal },
          }),
        googleError,
        signal,
        this.retry,
      );
      usage.input_tokens += response.usageMetadata?.promptTokenCount ?? 0;
      usage.output_tokens += response.usageMetadata?.candidatesTokenCount ?? 0;
      usage.total_tokens += response.usageMetadata?.totalTokenCount ?? 0;
      const image = await toRequestedImage(imageFromResponse(response), params);
      const file: GeneratedFile = {
        ...image,
        format: params.format,
        ext: IMAGE_EXT[params.format],
        description: params.prompt,
      };
      return file;
    });
    return {
      files,
      metadata: {
        provider: this.name,
        model_name: this.model,
        vendor_model: this.vendorModel,
        aspect_ratio: aspectRatio,
        model_size: `${GEMINI_IMAGE_ASPECT_RATIOS[aspectRatio].width}x${GEMINI_IMAGE_ASPECT_RATIOS[aspectRatio].height}`,
        ...usage,
      },
    };
  }
}
