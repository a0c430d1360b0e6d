import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ApiError, GenerateVideosOperation, type GoogleGenAI } from "@google/genai";
import { type CatalogEntry, sniffImageType, type VideoParams } from "@sorami/contracts";
import { checkCapabilities, vendorModelOf } from "./entry";
import { googleError, operationError } from "./google";
import { toVideoFile } from "./outputs";
import { changesOnly } from "./progress";
import { type PollSchedule, pollUntil, RemoteWorkFailed } from "./remote";
import { DEFAULT_RETRY, excerpt, type RetryPolicy, withRetries } from "./retry";
import {
  type AsyncProvider,
  type AsyncProviderContext,
  type GeneratedFile,
  type ProviderContext,
  ProviderError,
  type RemoteHandle,
  RemoteLostError,
} from "./types";

export type { PollSchedule } from "./remote";

/**
 * How the long-running operation is polled: first at once, then after 1 s,
 * 1.5× longer each time up to 10 s. Veo takes from ~30 s to several
 * minutes; Google's own samples poll every 10 s, and a GET on an operation
 * is cheap.
 */
export const VEO_POLL: PollSchedule = {
  initialMs: 1000,
  factor: 1.5,
  maxMs: 10_000,
  // Transient errors while polling don't restart a paid generation; this many in a row end the run.
  maxConsecutiveErrors: 10,
};

const MIME = { PNG: "image/png", JPEG: "image/jpeg", WEBP: "image/webp" } as const;

/**
 * Veo through the Gemini API, asynchronous: `submit` starts generateVideos
 * and hands back the operation's name (stored by the pipeline before
 * waiting); `wait` polls that operation — a resumed run polls the same one,
 * and one already done is collected at once — then downloads each video
 * with the API key (the SDK's files.download) for the pipeline to store
 * right away: Google deletes generated videos after 2 days. The entry's
 * capabilities are checked before the paid call, as at submit.
 */
export class VeoProvider implements AsyncProvider<"video"> {
  readonly name = "veo";
  readonly model: string;
  /** The Gemini API's model name: the entry's options.model (VEO_MODEL) or its id. */
  private readonly vendorModel: string;

  constructor(
    private readonly ai: GoogleGenAI,
    private readonly entry: CatalogEntry,
    private readonly poll: PollSchedule = VEO_POLL,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.model = entry.id;
    this.vendorModel = vendorModelOf(entry);
  }

  async submit(params: VideoParams, ctx: ProviderContext): Promise<RemoteHandle> {
    checkCapabilities(this.entry, params, ctx.inputImage);
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
          model: this.vendorModel,
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
    if (!started.name) {
      throw new ProviderError("transient", "The Gemini API started a video without naming its operation");
    }
    return { id: started.name };
  }

  async wait(handle: RemoteHandle, params: VideoParams, ctx: AsyncProviderContext) {
    const { signal } = ctx;
    const pending = new GenerateVideosOperation();
    pending.name = handle.id;
    const report = changesOnly(ctx.onProgress);
    const { value: operation, polls } = await pollUntil(
      async () => {
        const op = await this.ai.operations.getVideosOperation({ operation: pending, config: { abortSignal: signal } });
        // Veo's operation metadata says little; a percentage is passed on only when it carries one.
        const percent = (op.metadata as { progressPercent?: unknown } | undefined)?.progressPercent;
        report({ providerStatus: op.done ? "done" : "running", ...(typeof percent === "number" ? { percent } : {}) });
        return op.done ? op : undefined;
      },
      (error) =>
        error instanceof ApiError && error.status === 404
          ? new RemoteLostError(`The Gemini API no longer knows operation ${handle.id}`)
          : googleError(error),
      this.poll,
      signal,
    );

    if (operation.error) {
      const failed = operationError(operation.error as { code?: number; message?: string });
      throw new RemoteWorkFailed(failed.kind, failed.message);
    }
    const response = operation.response;
    const videos = response?.generatedVideos ?? [];
    if (videos.length === 0) {
      const reasons = response?.raiMediaFilteredReasons ?? [];
      if ((response?.raiMediaFilteredCount ?? 0) > 0 || reasons.length > 0) {
        throw new RemoteWorkFailed(
          "content_blocked",
          `The video was blocked by Veo's safety filters${reasons.length ? `: ${excerpt(reasons.join(" "))}` : ""}`,
        );
      }
      throw new RemoteWorkFailed("no_output", "Veo finished without a video and gave no reason");
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
        files.push(await toVideoFile({ file }, params, signal, "Veo"));
      }
      return {
        files,
        metadata: {
          provider: this.name,
          model_name: this.model,
          vendor_model: this.vendorModel,
          operation: operation.name,
          polls,
          rai_media_filtered_count: response?.raiMediaFilteredCount ?? 0,
        },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The Gemini API has no cancel for Veo operations: a canceled job's operation runs out and is not collected. */
  async cancel(_handle: RemoteHandle): Promise<void> {}
}
