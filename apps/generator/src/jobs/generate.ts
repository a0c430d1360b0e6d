import {
  imageParamsSchema,
  isTerminal,
  type JobKind,
  type JobStatus,
  jobStatusSchema,
  KIND_INFO,
  videoParamsSchema,
  type WebhookPayload,
  type WireStatus,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { readObject, type Storage } from "@sorami/storage";
import { getJob, updateJob } from "../domain/jobs";
import { type GeneratedFile, type ProviderContext, ProviderError, type Providers } from "../providers/types";
import { emitWebhook } from "../webhooks/emit";

/**
 * A job that has not finished in this time fails: no provider call may hold a
 * worker forever. Real video models take minutes, so videos get longer.
 */
export const JOB_TIME_LIMIT_MS: Record<JobKind, number> = { image: 10 * 60_000, video: 30 * 60_000 };

export type GenerateDeps = {
  db: Database;
  storage: Storage;
  providers: Providers;
  webUrl: string;
  environment: string;
};

/** Calls the kind's provider with the stored parameters, validated again by the kind's contract. */
function callProvider(
  providers: Providers,
  kind: JobKind,
  request: unknown,
  ctx: ProviderContext,
): Promise<{ files: GeneratedFile[]; metadata: Record<string, unknown> }> {
  return kind === "image"
    ? providers.image.generate(imageParamsSchema.parse(request), ctx)
    : providers.video.generate(videoParamsSchema.parse(request), ctx);
}

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
  const info = KIND_INFO[kind];
  const provider = deps.providers[kind];
  const prompt = String(job.request.prompt ?? "");

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
    ? AbortSignal.any([outerSignal, AbortSignal.timeout(JOB_TIME_LIMIT_MS[kind])])
    : AbortSignal.timeout(JOB_TIME_LIMIT_MS[kind]);
  try {
    await advance(
      "INITIALIZING",
      "initializing",
      { progress: 25, message: "Initializing the model…" },
      { bumpAttempts: true },
    );
    await advance("GENERATING", "generating", { progress: 60, message: "Generating…" });
    const inputImage = job.inputKey ? ((await readObject(storage, job.inputKey)) ?? undefined) : undefined;
    if (job.inputKey && !inputImage)
      throw new ProviderError("invalid_request", "The input image is missing from storage");
    const output = await callProvider(deps.providers, kind, job.request, { jobId, signal, inputImage });
    await advance("SAVING", "saving", { progress: 90, message: `Saving the ${info.noun}s…` });

    const items = [];
    for (const [i, file] of output.files.entries()) {
      const stem = `${info.plural}/${jobId}/${info.noun}_${i + 1}`;
      const key = `${stem}.${file.ext}`;
      const { sizeBytes } = await storage.put(key, file.data, file.format);
      const posterKey = file.poster ? `${stem}_poster.${file.poster.ext}` : undefined;
      if (file.poster && posterKey) await storage.put(posterKey, file.poster.data, "poster");
      items.push({
        file_path: key,
        url: `${webUrl}/api/media/${key}`,
        description: file.description,
        format: file.format,
        size_bytes: sizeBytes,
        dimensions: `${file.width}x${file.height}`,
        ...(file.durationSeconds !== undefined ? { duration_seconds: file.durationSeconds } : {}),
        ...(posterKey ? { poster_path: posterKey } : {}),
      });
    }
    const now = new Date().toISOString();
    const outputBytes = items.reduce((sum, item) => sum + item.size_bytes, 0);
    const data = {
      job_id: jobId,
      [info.filesKey]: items,
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
      original_prompt: prompt,
    };
    await advance(
      "COMPLETED",
      "completed",
      { progress: 100, message: `${items.length} ${info.noun}(s) generated`, data },
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
