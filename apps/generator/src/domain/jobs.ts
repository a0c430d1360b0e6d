import { randomUUID } from "node:crypto";
import {
  AppError,
  decodeInputImage,
  type GeneratorJobView,
  type GeneratorRequest,
  IMAGE_TYPE_EXT,
  INPUT_IMAGE_MAX_BYTES,
  inputImageKey,
  type JobKind,
  sniffImageType,
} from "@sorami/contracts";
import { assertInputImagePixels } from "@sorami/contracts/image-pixels";
import type { Database, GeneratorJob } from "@sorami/db";
import { notify } from "@sorami/db/listen";
import { advanceGeneratorJob, getGeneratorJob, insertGeneratorJob } from "@sorami/db/queries/generator-jobs";
import type { Storage } from "@sorami/storage";
import { cancelRemote } from "../jobs/model-call";
import { enqueueGenerate } from "../jobs/tasks";
import type { ModelRegistry } from "../providers/registry";

/**
 * Accepts a job for a catalog model (already chosen and checked by the
 * route) under the caller's job_id (a fresh UUID only when none is given). The row and its queue entry are written in one transaction; the
 * same job_id again returns the existing job and never runs it twice. An
 * input image is kept in storage, never in the row: one the caller stored
 * (`input_image_key`) is checked where it is, one sent as base64 is checked
 * and stored under the same key.
 */
export async function submitJob(
  db: Database,
  storage: Storage,
  kind: JobKind,
  input: GeneratorRequest,
  model: { id: string; provider: string },
): Promise<{ job: GeneratorJob; created: boolean }> {
  const { job_id, user_id, ...fields } = input;
  const id = job_id ?? randomUUID();
  const { input_image_base64, input_image_key, ...request } = fields as typeof fields & {
    input_image_base64?: string;
    input_image_key?: string;
  };
  let inputKey: string | null = null;
  if (input_image_key) {
    inputKey = await checkStoredInputImage(storage, id, input_image_key);
  } else if (input_image_base64) {
    const image = decodeInputImage(input_image_base64);
    await assertInputImagePixels(image.bytes, "input_image_base64");
    inputKey = inputImageKey(id, image.type);
    await storage.put(inputKey, image.bytes, image.type);
  }
  return db.transaction(async (tx) => {
    const { job: existing, created } = await insertGeneratorJob(tx, {
      id,
      kind,
      userId: user_id,
      request,
      inputKey,
      model: model.id,
      provider: model.provider,
    });
    if (created && existing) {
      await enqueueGenerate(tx, id);
      return { job: existing, created: true };
    }
    if (!existing) {
      throw new AppError("internal_error", "Job vanished during submit");
    }
    if (existing.kind !== kind || existing.userId !== user_id) {
      throw new AppError("conflict", "job_id is already used by another job", { field: "job_id" });
    }
    return { job: existing, created: false };
  });
}

/**
 * An input image the caller stored for this job: it must be this job's own
 * key, exist, be no larger than INPUT_IMAGE_MAX_BYTES, be the PNG, JPEG or
 * WEBP its name says by its bytes, and declare no more pixels than any input
 * image may (422 or 413 naming `input_image_key` otherwise). The caller
 * checked it when it stored it; this side checks what it is pointed at.
 */
async function checkStoredInputImage(storage: Storage, jobId: string, key: string): Promise<string> {
  const field = "input_image_key";
  const refuse = (why: string) => new AppError("unprocessable", `${field}: ${why}`, { field });
  const type = (Object.keys(IMAGE_TYPE_EXT) as (keyof typeof IMAGE_TYPE_EXT)[]).find(
    (t) => inputImageKey(jobId, t) === key,
  );
  if (!type) {
    throw refuse("is not this job's input image key");
  }
  const stored = await storage.open(key);
  if (!stored) {
    throw refuse("no image is stored under this key");
  }
  if (stored.sizeBytes > INPUT_IMAGE_MAX_BYTES) {
    stored.stream.destroy();
    throw refuse(`the image is larger than ${INPUT_IMAGE_MAX_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stored.stream) {
    chunks.push(Buffer.from(chunk));
  }
  const bytes = Buffer.concat(chunks);
  if (sniffImageType(bytes) !== type) {
    throw refuse(`the stored file is not the ${type} image its key names`);
  }
  await assertInputImagePixels(bytes, field);
  return key;
}

/** Waiting for a provider's cancel endpoint ends after this: the job is canceled here whatever it answers. */
export const REMOTE_CANCEL_TIMEOUT_MS = 5000;

/**
 * Marks a job canceled unless it already ended. Work an asynchronous
 * provider holds for it (its stored handle) is canceled at the provider,
 * best effort; every generator process hears of it (NOTIFY) and the one
 * running the job stops waiting.
 */
export async function cancelJob(
  db: Database,
  models: ModelRegistry,
  id: string,
  log: (error: unknown) => void = () => {},
): Promise<"canceled" | "already-ended" | "missing"> {
  const job = await getGeneratorJob(db, id);
  if (!job) {
    return "missing";
  }
  const row = await advanceGeneratorJob(db, id, { status: "CANCELED" }, { patch: { completedAt: new Date() } });
  if (!row) {
    return "already-ended";
  }
  const handle = row.remoteHandle;
  const entry = row.model ? models.entry(row.model) : undefined;
  if (handle && entry) {
    await Promise.race([
      models.provider(entry).then((built) => cancelRemote(built, handle)),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("no answer in time")), REMOTE_CANCEL_TIMEOUT_MS).unref(),
      ),
    ]).catch(log);
  }
  await notify(db, CANCEL_CHANNEL, id);
  return "canceled";
}

/** PostgreSQL NOTIFY channel on which cancellations reach every generator process. */
export const CANCEL_CHANNEL = "sorami_generator_cancel";

/** The generator's view of a job (GET /api/jobs/{id}), as the web app's reconciler and admin console read it. */
export function jobView(job: GeneratorJob): GeneratorJobView {
  return {
    job_id: job.id,
    kind: job.kind,
    user_id: job.userId,
    status: job.status,
    progress: job.progress,
    attempts: job.attempts,
    model: job.model,
    provider: job.provider,
    remote:
      job.remoteSubmissions > 0 || job.remoteHandle
        ? {
            request_id: job.remoteHandle?.id ?? null,
            status: job.remoteStatus,
            submissions: job.remoteSubmissions,
          }
        : null,
    fallbacks: job.fallbacks,
    error: job.error,
    error_kind: job.errorKind,
    result: job.result,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
  };
}
