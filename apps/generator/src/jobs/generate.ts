import {
  imageParamsSchema,
  isTerminal,
  type JobStatus,
  jobStatusSchema,
  KIND_INFO,
  type WebhookPayload,
  type WireStatus,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import type { Storage } from "@sorami/storage";
import { getJob, updateJob } from "../domain/jobs";
import type { ImageProvider } from "../providers/types";
import { ProviderError } from "../providers/types";
import { emitWebhook } from "../webhooks/emit";

/** A job that has not finished in this time fails: no provider call may hold a worker forever. */
export const IMAGE_JOB_TIME_LIMIT_MS = 10 * 60_000;

export type GenerateDeps = {
  db: Database;
  storage: Storage;
  providers: { image: ImageProvider };
  webUrl: string;
  environment: string;
};

const EXT: Record<string, string> = { PNG: "png", JPEG: "jpg", WEBP: "webp" };

/** Turns any error into the pipeline's classification; unknown errors are retried. */
export function classifyError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ProviderError("timeout", "The generation took too long and was stopped");
  }
  return new ProviderError("transient", error instanceof Error ? error.message : String(error));
}

/**
 * Runs one job through its stages, announcing each by webhook in the same
 * transaction as the status change. Files are written under keys derived
 * from the job id, so a re-run overwrites rather than duplicates.
 */
export async function runGenerateJob(
  deps: GenerateDeps,
  jobId: string,
  attempt: { number: number; max: number },
  outerSignal?: AbortSignal,
): Promise<void> {
  const { db, storage, webUrl, environment } = deps;
  const job = await getJob(db, jobId);
  if (!job) {
    console.warn(`[generate] job ${jobId} not found; dropping`);
    return;
  }
  if (isTerminal(jobStatusSchema.parse(job.status))) return;
  const kind = job.kind;
  const params = imageParamsSchema.parse(job.request);
  const provider = deps.providers.image;

  const advance = async (status: JobStatus, event: WireStatus, extra: Partial<WebhookPayload>, patch = {}) => {
    await db.transaction(async (tx) => {
      await updateJob(tx, jobId, { status, ...patch });
      await emitWebhook(tx, {
        webUrl,
        kind,
        event,
        payload: {
          job_id: jobId,
          user_id: job.userId,
          status: event,
          timestamp: new Date().toISOString(),
          environment,
          ...extra,
        },
      });
    });
  };

  const started = Date.now();
  const signal = outerSignal
    ? AbortSignal.any([outerSignal, AbortSignal.timeout(IMAGE_JOB_TIME_LIMIT_MS)])
    : AbortSignal.timeout(IMAGE_JOB_TIME_LIMIT_MS);
  try {
    await advance(
      "INITIALIZING",
      "initializing",
      { progress: 25, message: "Initializing the model…" },
      { bumpAttempts: true },
    );
    await advance("GENERATING", "generating", { progress: 60, message: "Generating…" });
    const output = await provider.generate(params, { jobId, signal });
    await advance("SAVING", "saving", { progress: 90, message: "Saving the images…" });

    const plural = KIND_INFO[kind].plural;
    const images = [];
    for (const [i, image] of output.images.entries()) {
      const key = `${plural}/${jobId}/image_${i + 1}.${EXT[image.format] ?? "bin"}`;
      const { sizeBytes } = await storage.put(key, image.data, image.format);
      images.push({
        file_path: key,
        url: `${webUrl}/api/media/${key}`,
        description: image.description,
        format: image.format,
        size_bytes: sizeBytes,
        dimensions: `${image.width}x${image.height}`,
      });
    }
    const now = new Date().toISOString();
    const outputBytes = images.reduce((sum, img) => sum + img.size_bytes, 0);
    const data = {
      job_id: jobId,
      images,
      metadata: {
        ...output.metadata,
        model_name: provider.model,
        version: "1.0",
        generation_time_seconds: (Date.now() - started) / 1000,
        output_size_bytes: outputBytes,
        timestamp: now,
      },
      status: "completed",
      generated_at: now,
      original_prompt: params.prompt,
    };
    const count = images.length;
    await advance(
      "COMPLETED",
      "completed",
      { progress: 100, message: `${count} image(s) generated`, data },
      { result: data, completedAt: new Date() },
    );
  } catch (error) {
    const classified = classifyError(error);
    if (classified.retryable && attempt.number < attempt.max) {
      console.warn(
        `[generate] job ${jobId} attempt ${attempt.number}/${attempt.max}: ${classified.kind}: ${classified.message}`,
      );
      throw error;
    }
    console.warn(`[generate] job ${jobId} failed: ${classified.kind}: ${classified.message}`);
    await advance(
      "FAILED",
      "failed",
      { error_message: classified.message, message: "Generation failed" },
      { error: classified.message, completedAt: new Date() },
    );
  }
}
