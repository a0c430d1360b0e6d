import { randomUUID } from "node:crypto";
import {
  AppError,
  decodeInputImage,
  type GeneratorImageRequest,
  type GeneratorVideoRequest,
  IMAGE_TYPE_EXT,
  type JobKind,
  TERMINAL_STATUSES,
} from "@sorami/contracts";
import { type Database, type GeneratorJob, schema, type Tx } from "@sorami/db";
import type { Storage } from "@sorami/storage";
import { and, eq, notInArray, sql } from "drizzle-orm";
import { enqueueGenerate } from "../jobs/catalog";

const { generatorJobs } = schema;

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
    const [inserted] = await tx
      .insert(generatorJobs)
      .values({ id, kind, userId: user_id, request, inputKey })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await enqueueGenerate(tx, id);
      return { job: inserted, created: true };
    }
    const [existing] = await tx.select().from(generatorJobs).where(eq(generatorJobs.id, id));
    if (!existing) {
      throw new AppError("internal_error", "Job vanished during submit");
    }
    if (existing.kind !== kind || existing.userId !== user_id) {
      throw new AppError("conflict", "job_id is already used by another job", { field: "job_id" });
    }
    return { job: existing, created: false };
  });
}

export async function getJob(db: Tx, id: string): Promise<GeneratorJob | null> {
  const [row] = await db.select().from(generatorJobs).where(eq(generatorJobs.id, id));
  return row ?? null;
}

/**
 * Changes a job that has not ended yet; returns the updated row, or null when
 * the job is already terminal (canceled meanwhile), which stops the run.
 */
export async function updateJob(
  tx: Tx,
  id: string,
  patch: Partial<Pick<GeneratorJob, "status" | "error" | "result" | "completedAt">> & { bumpAttempts?: boolean },
): Promise<GeneratorJob | null> {
  const { bumpAttempts, ...fields } = patch;
  const [row] = await tx
    .update(generatorJobs)
    .set({
      ...fields,
      updatedAt: new Date(),
      ...(bumpAttempts ? { attempts: sql`${generatorJobs.attempts} + 1` } : {}),
    })
    .where(and(eq(generatorJobs.id, id), notInArray(generatorJobs.status, [...TERMINAL_STATUSES])))
    .returning();
  return row ?? null;
}

/** Marks a job canceled unless it already ended; true when it was canceled now. */
export async function cancelJob(db: Database, id: string): Promise<"canceled" | "already-ended" | "missing"> {
  const job = await getJob(db, id);
  if (!job) {
    return "missing";
  }
  const row = await updateJob(db, id, { status: "CANCELED", completedAt: new Date() });
  if (!row) {
    return "already-ended";
  }
  // Every generator process listens; the one running the job stops its provider call.
  await db.execute(sql`select pg_notify(${CANCEL_CHANNEL}, ${id})`);
  return "canceled";
}

/** PostgreSQL NOTIFY channel on which cancellations reach every generator process. */
export const CANCEL_CHANNEL = "sorami_generator_cancel";
