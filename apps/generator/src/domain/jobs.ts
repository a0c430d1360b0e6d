import { randomUUID } from "node:crypto";
import {
  AppError,
  decodeInputImage,
  type GeneratorImageRequest,
  type GeneratorVideoRequest,
  IMAGE_TYPE_EXT,
  type JobKind,
} from "@sorami/contracts";
import type { Database, GeneratorJob } from "@sorami/db";
import { notify } from "@sorami/db/listen";
import { advanceGeneratorJob, getGeneratorJob, insertGeneratorJob } from "@sorami/db/queries/generator-jobs";
import type { Storage } from "@sorami/storage";
import { enqueueGenerate } from "../jobs/tasks";

/**
 * Accepts a job under the caller's job_id (a fresh UUID only when none is
 * given). The row and its queue entry are written in one transaction; the
 * same job_id again returns the existing job and never runs it twice. An
 * input image is checked (size, real type) and kept in storage, not in the row.
 */
export async function submitJob(
  db: Database,
  storage: Storage,
  kind: JobKind,
  input: GeneratorImageRequest | GeneratorVideoRequest,
): Promise<{ job: GeneratorJob; created: boolean }> {
  const { job_id, user_id, ...fields } = input;
  const id = job_id ?? randomUUID();
  const { input_image_base64, ...request } = fields as typeof fields & { input_image_base64?: string };
  let inputKey: string | null = null;
  if (input_image_base64) {
    const image = decodeInputImage(input_image_base64);
    inputKey = `inputs/${id}/input.${IMAGE_TYPE_EXT[image.type]}`;
    await storage.put(inputKey, image.bytes, image.type);
  }
  return db.transaction(async (tx) => {
    const { job: existing, created } = await insertGeneratorJob(tx, { id, kind, userId: user_id, request, inputKey });
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

/** Marks a job canceled unless it already ended; true when it was canceled now. */
export async function cancelJob(db: Database, id: string): Promise<"canceled" | "already-ended" | "missing"> {
  const job = await getGeneratorJob(db, id);
  if (!job) {
    return "missing";
  }
  const row = await advanceGeneratorJob(db, id, { status: "CANCELED" }, { patch: { completedAt: new Date() } });
  if (!row) {
    return "already-ended";
  }
  // Every generator process listens; the one running the job stops its provider call.
  await notify(db, CANCEL_CHANNEL, id);
  return "canceled";
}

/** PostgreSQL NOTIFY channel on which cancellations reach every generator process. */
export const CANCEL_CHANNEL = "sorami_generator_cancel";
