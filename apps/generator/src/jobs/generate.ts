import {
  imageParamsSchema,
  isTerminal,
  type JobKind,
  KIND_INFO,
  videoParamsSchema,
  type WebhookPayload,
  type WireStatus,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { type GeneratorJobPatch, getGeneratorJob } from "@sorami/db/queries/generator-jobs";
import { readObject, type Storage } from "@sorami/storage";
import { createInputImageFetcher, type InputImageFetcher } from "../providers/input-image";
import { type GeneratedFile, type ProviderContext, ProviderError, type Providers } from "../providers/types";
import { advanceJob } from "../webhooks/emit";
import { enqueueGenerate } from "./catalog";
import { storeThumbnail } from "./thumbnails";

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
  /** How an input_image_url is fetched (default: the safe fetcher, public addresses only). */
  fetchInputImage?: InputImageFetcher;
};

const publicOnlyFetcher = createInputImageFetcher();

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
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ProviderError("timeout", "The generation took too long and was stopped");
  }
  return new ProviderError("transient", error instanceof Error ? error.message : String(error));
}

/**
 * Awaits every promise, then throws the first failure if there was one: unlike
 * Promise.all, nothing is still writing when the caller's cleanup removes a
 * failed job's files.
 */
async function settleAll<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) {
    throw (failed as PromiseRejectedResult).reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** Runs of one job before a retryable failure becomes final. */
export const MAX_GENERATE_ATTEMPTS = 4;
/** Backoff between runs when the provider gives no Retry-After: 2 s, 4 s, 8 s… */
export const GENERATE_RETRY_BASE_MS = 2000;

/** Jobs running in this process, so a cancellation can stop their provider call. */
const running = new Map<string, AbortController>();

class JobCanceled extends Error {
  constructor() {
    super("The job was canceled");
    this.name = "JobCanceled";
  }
}

/** Stops the provider call of a job if this process runs it (cancellation fans out by NOTIFY). */
export function abortLocalJob(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort(new JobCanceled());
  return Boolean(controller);
}

/**
 * Runs one job through its stages, announcing each by webhook in the same
 * transaction as the status change. Files are written under keys derived
 * from the job id, so a re-run overwrites rather than duplicates. A canceled
 * job stops where it is, keeps no files and announces nothing more.
 * Retryable failures run again later (honouring the provider's Retry-After)
 * up to MAX_GENERATE_ATTEMPTS runs; others fail the job with their message.
 */
export async function runGenerateJob(deps: GenerateDeps, jobId: string, outerSignal?: AbortSignal): Promise<void> {
  const { db, storage, webUrl, environment } = deps;
  const job = await getGeneratorJob(db, jobId);
  if (!job) {
    console.warn(`[generate] job ${jobId} not found; dropping`);
    return;
  }
  if (isTerminal(job.status)) {
    return;
  }
  const kind = job.kind;
  const info = KIND_INFO[kind];
  const provider = deps.providers[kind];
  const prompt = String(job.request.prompt ?? "");

  const advance = async (
    event: WireStatus,
    extra: Partial<WebhookPayload>,
    options: { patch?: GeneratorJobPatch; bumpAttempts?: boolean } = {},
  ) => {
    const row = await advanceJob(
      db,
      {
        job_id: jobId,
        user_id: job.userId,
        status: event,
        timestamp: new Date().toISOString(),
        environment,
        ...extra,
      },
      { webUrl, kind, ...options },
    );
    if (!row) {
      throw new JobCanceled();
    }
    return row;
  };

  const started = Date.now();
  const cancel = new AbortController();
  running.set(jobId, cancel);
  const signals = [cancel.signal, AbortSignal.timeout(JOB_TIME_LIMIT_MS[kind]), ...(outerSignal ? [outerSignal] : [])];
  const signal = AbortSignal.any(signals);
  let attempt = job.attempts + 1;
  try {
    const initialized = await advance("initializing", { message: "Initializing the model…" }, { bumpAttempts: true });
    attempt = initialized.attempts;
    await advance("generating", { message: "Generating…" });
    // An uploaded input image is in storage; one given by URL is fetched now, through the safe fetcher.
    const inputUrl = typeof job.request.input_image_url === "string" ? job.request.input_image_url : "";
    const inputImage = job.inputKey
      ? ((await readObject(storage, job.inputKey)) ?? undefined)
      : inputUrl
        ? await (deps.fetchInputImage ?? publicOnlyFetcher)(inputUrl, signal)
        : undefined;
    if (job.inputKey && !inputImage) {
      throw new ProviderError("invalid_request", "The input image is missing from storage");
    }
    const output = await callProvider(deps.providers, kind, job.request, { jobId, attempt, signal, inputImage });
    await advance("saving", { message: `Saving the ${info.noun}s…` });

    // Every file, its poster and its thumbnail are stored at once (with S3 each put is a round trip).
    const items = await settleAll(
      output.files.map(async (file, i) => {
        const stem = `${info.plural}/${jobId}/${info.noun}_${i + 1}`;
        const key = `${stem}.${file.ext}`;
        const posterKey = file.poster ? `${stem}_poster.${file.poster.ext}` : undefined;
        // Images are their own thumbnail source; a video's is its poster (no poster, no thumbnail).
        const thumbnailSource = file.poster?.data ?? (kind === "image" ? file.data : undefined);
        const [{ sizeBytes }, , thumbnailKey] = await settleAll([
          storage.put(key, file.data, file.format),
          file.poster && posterKey ? storage.put(posterKey, file.poster.data, "poster") : undefined,
          thumbnailSource ? storeThumbnail(storage, key, thumbnailSource) : undefined,
        ] as const);
        return {
          file_path: key,
          url: `${webUrl}/api/media/${key}`,
          description: file.description,
          format: file.format,
          size_bytes: sizeBytes,
          dimensions: `${file.width}x${file.height}`,
          ...(file.durationSeconds !== undefined ? { duration_seconds: file.durationSeconds } : {}),
          ...(posterKey ? { poster_path: posterKey } : {}),
          ...(thumbnailKey ? { thumbnail_path: thumbnailKey } : {}),
        };
      }),
    );
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
      "completed",
      { message: `${items.length} ${info.noun}(s) generated`, data },
      { patch: { result: data, completedAt: new Date() } },
    );
  } catch (error) {
    if (error instanceof JobCanceled || signal.reason instanceof JobCanceled) {
      // Whatever was written is discarded: a canceled job keeps no files.
      await storage.deletePrefix(`${info.plural}/${jobId}`);
      console.info(`[generate] job ${jobId} canceled`);
      return;
    }
    if (outerSignal?.aborted && !(signal.reason instanceof DOMException && signal.reason.name === "TimeoutError")) {
      throw error; // this process is shutting down: the queue hands the job back
    }
    const classified = classifyError(error);
    if (classified.retryable && attempt < MAX_GENERATE_ATTEMPTS) {
      const delayMs = classified.retryAfterMs ?? GENERATE_RETRY_BASE_MS * 2 ** (attempt - 1);
      console.warn(
        `[generate] job ${jobId} run ${attempt}/${MAX_GENERATE_ATTEMPTS}: ${classified.kind}: ${classified.message}; again in ${delayMs} ms`,
      );
      await enqueueGenerate(db, jobId, new Date(Date.now() + delayMs));
      return;
    }
    console.warn(`[generate] job ${jobId} failed: ${classified.kind}: ${classified.message}`);
    // Files a failed job wrote before its error (one of several uploads) are never shown: remove them.
    await storage.deletePrefix(`${info.plural}/${jobId}`).catch((e: unknown) => {
      console.warn(`[generate] job ${jobId}: could not remove its partial files: ${String(e)}`);
    });
    await advance(
      "failed",
      { error_message: classified.message, message: "Generation failed" },
      { patch: { error: classified.message, completedAt: new Date() } },
    ).catch((e) => {
      if (!(e instanceof JobCanceled)) {
        throw e;
      }
    });
  } finally {
    running.delete(jobId);
  }
}
