import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { GenerateVideosOperation, GoogleGenAI } from "@google/genai";
import { sniffImageType, type VideoParams, videoLimitViolation } from "@sorami/contracts";
import sharp from "sharp";
import { extractPoster } from "./ffmpeg";
import { googleError, operationError } from "./google";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, withRetries } from "./retry";
import { type GeneratedFile, type Provider, type ProviderContext, ProviderError } from "./types";

/**
 * How the long-running operation is polled: first after 1 s, then 1.5×
 * longer each time up to 10 s. Veo takes from ~30 s to several minutes;
 * Google's own samples poll every 10 s, and a GET on an operation is cheap.
 */
export type PollSchedule = { initialMs: number; factor: number; maxMs: number; maxConsecutiveErrors: number };
export const VEO_POLL: PollSchedule = {
  initialMs: 1000,
  factor: 1.5,
  maxMs: 10_000,
  // Transient errors while polling don't restart a paid generation; this many in a row end the run.
  maxConsecutiveErrors: 10,
};

const MIME = { PNG: "image/png", JPEG: "image/jpeg", WEBP: "image/webp" } as const;

/**
 * Veo through the Gemini API: generateVideos starts a long-running
 * operation, polled with backoff until done; each video is then downloaded
 * with the API key (the SDK's files.download) and handed to the pipeline,
 * which stores it at once — Google deletes generated videos after 2 days.
 * Veo's limits are checked before the call, as at submit.
 */
export class VeoProvider implements Provider<"video"> {
  readonly name = "veo";

  constructor(
    private readonly ai: GoogleGenAI,
    readonly model: string,
    private readonly poll: PollSchedule = VEO_POLL,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async generate(params: VideoParams, ctx: ProviderContext) {
    const violation = videoLimitViolation("veo", params, Boolean(ctx.inputImage));
    if (violation) {
      throw new ProviderError("invalid_request", violation.message);
    }
    const { signal } = ctx;
    let image: { imageBytes: string; mimeType: string } | undefined;
    if (ctx.inputImage) {
      const type = sniffImageType(ctx.inputImage);
      if (!type) {
        throw new ProviderError("invalid_request", "The input image is not a PNG, JPEG or WEBP image");
      }
      image = { imageBytes: ctx.inputImage.toString("base64"), mimeType: MIME[type] };
    }
    const started = await withRetries(
      () =>
        this.ai.models.generateVideos({
          model: this.model,
          source: { prompt: params.prompt, ...(image ? { image } : {}) },
          config: {
            numberOfVideos: params.number_of_videos,
            durationSeconds: params.duration_seconds,
            aspectRatio: params.aspect_ratio,
            // The Gemini API spells the modes in lower case (allow_all, allow_adult, dont_allow).
            personGeneration: params.person_generation.toLowerCase(),
            ...(params.negative_prompt ? { negativePrompt: params.negative_prompt } : {}),
            abortSignal: signal,
          },
        }),
      googleError,
      signal,
      this.retry,
    );
    const { operation, polls } = await this.waitUntilDone(started, signal);

    if (operation.error) {
      throw operationError(operation.error as { code?: number; message?: string });
    }
    const response = operation.response;
    const videos = response?.generatedVideos ?? [];
    if (videos.length === 0) {
      const reasons = response?.raiMediaFilteredReasons ?? [];
      if ((response?.raiMediaFilteredCount ?? 0) > 0 || reasons.length > 0) {
        throw new ProviderError(
          "content_blocked",
          `The video was blocked by Veo's safety filters${reasons.length ? `: ${excerpt(reasons.join(" "))}` : ""}`,
        );
      }
      throw new ProviderError("no_output", "Veo finished without a video and gave no reason");
    }

    const dir = await mkdtemp(path.join(os.tmpdir(), "sorami-veo-"));
    try {
      const files: GeneratedFile[] = [];
      for (const [i, video] of videos.entries()) {
        const file = path.join(dir, `video_${i + 1}.mp4`);
        await withRetries(
          () => this.ai.files.download({ file: video, downloadPath: file, config: { abortSignal: signal } }),
          googleError,
          signal,
          this.retry,
        );
        files.push(await this.toFile(file, path.join(dir, `poster_${i + 1}.jpg`), params, signal));
      }
      return {
        files,
        metadata: {
          provider: this.name,
          model_name: this.model,
          operation: operation.name,
          polls,
          rai_media_filtered_count: response?.raiMediaFilteredCount ?? 0,
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Polls until the operation is done; also says how many polls it took. */
  private async waitUntilDone(
    first: GenerateVideosOperation,
    signal: AbortSignal,
  ): Promise<{ operation: GenerateVideosOperation; polls: number }> {
    let operation = first;
    let delay = this.poll.initialMs;
    let polls = 0;
    let errors = 0;
    while (!operation.done) {
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * this.poll.factor, this.poll.maxMs);
      try {
        operation = await this.ai.operations.getVideosOperation({ operation, config: { abortSignal: signal } });
        polls++;
        errors = 0;
      } catch (error) {
        if (signal.aborted) {
          throw error;
        }
        const classified = googleError(error);
        if (!classified.retryable || ++errors >= this.poll.maxConsecutiveErrors) {
          throw classified;
        }
      }
    }
    return { operation, polls };
  }

  /** Reads a downloaded video: its poster frame, size and length. */
  private async toFile(file: string, poster: string, params: VideoParams, signal: AbortSignal): Promise<GeneratedFile> {
    let durationSeconds: number | null;
    try {
      ({ durationSeconds } = await extractPoster(file, poster, signal));
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      throw new ProviderError("no_output", "Veo returned a file that is not a playable video", undefined, {
        cause: error,
      });
    }
    const posterData = await readFile(poster);
    const { width = 0, height = 0 } = await sharp(posterData).metadata();
    return {
      data: await readFile(file),
      format: "MP4",
      ext: "mp4",
      width,
      height,
      description: params.prompt,
      durationSeconds: durationSeconds ?? params.duration_seconds,
      poster: { data: posterData, ext: "jpg" },
    };
  }
}
