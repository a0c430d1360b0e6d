import {
  COMPLETED_DATA_SCHEMAS,
  type CompletedData,
  KIND_INFO,
  outputPrefix,
  storableText,
  truncateText,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
} from "@sorami/contracts";
import type { Database, GeneratorJob } from "@sorami/db";
import { readObject, type Storage } from "@sorami/storage";
import { createInputImageFetcher, type InputImageFetcher } from "../providers/input-image";
import type { ModelRegistry } from "../providers/registry";
import { type GeneratedFile, ProviderError } from "../providers/types";
import { storeThumbnail } from "./thumbnails";

/**
 * The steps of a generate run, each on its own; `generate.ts` drives them
 * through the job's stages.
 */

export type GenerateDeps = {
  db: Database;
  storage: Storage;
  /** The active catalog and its providers: a job runs on its own model. */
  models: ModelRegistry;
  webUrl: string;
  environment: string;
  /** How an input_image_url is fetched (default: the safe fetcher, public addresses only). */
  fetchInputImage?: InputImageFetcher;
  /** At most one provider update per job per this long (default PROVIDER_UPDATE_INTERVAL_MS; tests: 0). */
  providerUpdateIntervalMs?: number;
};

const publicOnlyFetcher = createInputImageFetcher();

/** The job's input image: from storage when the caller stored one, else fetched from its input_image_url now. */
export async function readInputImage(
  deps: Pick<GenerateDeps, "storage" | "fetchInputImage">,
  job: GeneratorJob,
  signal: AbortSignal,
): Promise<Buffer | undefined> {
  if (job.inputKey) {
    const stored = await readObject(deps.storage, job.inputKey);
    if (!stored) {
      throw new ProviderError("invalid_request", "The input image is missing from storage");
    }
    return stored;
  }
  const url = typeof job.request.input_image_url === "string" ? job.request.input_image_url : "";
  return url ? (deps.fetchInputImage ?? publicOnlyFetcher)(url, signal) : undefined;
}

/**
 * Awaits every promise, then throws the first failure if there was one: unlike
 * Promise.all, nothing is still writing when the caller's cleanup removes a
 * failed job's files.
 */
export async function settleAll<T extends readonly unknown[]>(
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

/**
 * Stores every file, its poster and its thumbnail at once (with S3 each put
 * is a round trip), under keys made from the job id, so a re-run overwrites
 * rather than duplicates. Returns the webhook's file entries.
 */
export async function storeOutputs(
  storage: Storage,
  webUrl: string,
  job: GeneratorJob,
  files: readonly GeneratedFile[],
) {
  const { noun } = KIND_INFO[job.kind];
  return settleAll(
    files.map(async (file, i) => {
      const stem = `${outputPrefix(job.kind, job.id)}/${noun}_${i + 1}`;
      const key = `${stem}.${file.ext}`;
      const posterKey = file.poster ? `${stem}_poster.${file.poster.ext}` : undefined;
      // Images are their own thumbnail source; a video's is its poster (no poster, no thumbnail).
      const thumbnailSource = file.poster?.data ?? (job.kind === "image" ? file.data : undefined);
      const [{ sizeBytes }, , thumbnailKey] = await settleAll([
        storage.put(key, file.data, file.format),
        file.poster && posterKey ? storage.put(posterKey, file.poster.data, "poster") : undefined,
        thumbnailSource ? storeThumbnail(storage, key, thumbnailSource) : undefined,
      ] as const);
      return {
        file_path: key,
        url: `${webUrl}/api/media/${key}`,
        // A provider's text: storable, and within what the receiver accepts, or the event would be refused for good.
        description: storableText(truncateText(file.description, WEBHOOK_DESCRIPTION_MAX_LENGTH, { ellipsis: "…" })),
        format: file.format,
        size_bytes: sizeBytes,
        dimensions: `${file.width}x${file.height}`,
        ...(file.durationSeconds !== undefined ? { duration_seconds: file.durationSeconds } : {}),
        ...(posterKey ? { poster_path: posterKey } : {}),
        ...(thumbnailKey ? { thumbnail_path: thumbnailKey } : {}),
      };
    }),
  );
}

/**
 * The `data` of a job's `completed` webhook (document 000), also kept as the
 * job's result, checked against the kind's contract before it is announced.
 */
export function completedData(
  job: GeneratorJob,
  model: string,
  items: Awaited<ReturnType<typeof storeOutputs>>,
  providerMetadata: Record<string, unknown>,
  startedAt: number,
): CompletedData {
  const now = new Date().toISOString();
  return COMPLETED_DATA_SCHEMAS[job.kind].parse({
    job_id: job.id,
    [KIND_INFO[job.kind].filesKey]: items,
    metadata: {
      ...providerMetadata,
      model_name: model,
      version: "1.0",
      generation_time_seconds: (Date.now() - startedAt) / 1000,
      output_size_bytes: items.reduce((sum, item) => sum + item.size_bytes, 0),
      timestamp: now,
    },
    status: "completed",
    generated_at: now,
    original_prompt: String(job.request.prompt ?? ""),
  });
}
