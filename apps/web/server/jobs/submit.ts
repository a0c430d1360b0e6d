import { createHash, randomUUID } from "node:crypto";
import {
  AppError,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IMAGE_TYPE_EXT,
  type JobAccepted,
  type JobKind,
} from "@sorami/contracts";
import { type Database, schema } from "@sorami/db";
import { getGenerationByIdempotencyKey } from "@sorami/db/queries/generations";
import { organizationIdOfSql } from "@sorami/db/queries/organizations";
import type { Storage } from "@sorami/storage";
import type { SessionUser } from "../session";
import { enqueueDispatch } from "./catalog";
import type { Submission } from "./params";

type Generation = typeof schema.generations.$inferSelect;

function accepted(g: Generation, message: string): JobAccepted {
  return { job_id: g.id, status: g.status, message, created_at: g.createdAt.toISOString() };
}

export function validateIdempotencyKey(raw: string | null): string | null {
  if (raw === null) return null;
  if (raw.length === 0 || raw.length > IDEMPOTENCY_KEY_MAX_LENGTH || !/^[\x21-\x7E]+$/.test(raw)) {
    throw new AppError(
      "invalid_request",
      `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters`,
      { field: "Idempotency-Key" },
    );
  }
  return raw;
}

/**
 * Creates the job row first — its id is the job id everywhere — and queues
 * its dispatch to the generator in the same transaction: no job without a
 * dispatch, no dispatch without a job. A retried submit carrying the same
 * Idempotency-Key returns the first job; the same key with other parameters
 * is refused. An input image is stored first, under the new job's id, and
 * removed again if the job is not created.
 */
export async function submitGeneration(
  db: Database,
  storage: Storage,
  user: SessionUser,
  kind: JobKind,
  submission: Submission,
  idempotencyKey: string | null,
): Promise<{ body: JobAccepted; created: boolean }> {
  const { prompt, ...rest } = submission.params;
  const hash = createHash("sha256").update(JSON.stringify({ kind, params: submission.params }));
  if (submission.inputImage) hash.update(submission.inputImage.bytes);
  const requestHash = hash.digest("hex");
  const id = randomUUID();
  const params: Record<string, unknown> = { ...rest };
  if (submission.inputImage) {
    const key = `inputs/${id}/input.${IMAGE_TYPE_EXT[submission.inputImage.type]}`;
    await storage.put(key, submission.inputImage.bytes, submission.inputImage.type);
    params.input_image_key = key;
  }
  const result = await db
    .transaction(async (tx) => {
      const [row] = await tx
        .insert(schema.generations)
        .values({
          id,
          kind,
          authorId: user.id,
          organizationId: organizationIdOfSql(user.id),
          prompt,
          params,
          status: "PENDING",
          progress: 0,
          message: "Waiting for the generator",
          idempotencyKey,
          requestHash,
          // Millisecond precision, so keyset cursors made from JS dates compare exactly.
          createdAt: new Date(),
        })
        .onConflictDoNothing()
        .returning();
      if (row) {
        await enqueueDispatch(tx, row.id);
        return { row, created: true };
      }
      return { row: null, created: false };
    })
    .catch(async (error: unknown) => {
      if (submission.inputImage) await storage.deletePrefix(`inputs/${id}`);
      throw error;
    });
  if (!result.row && submission.inputImage) await storage.deletePrefix(`inputs/${id}`);
  if (result.row) return { body: accepted(result.row, "Generation started"), created: true };

  // The insert conflicted: only the idempotency key can (ids are fresh UUIDs).
  const existing = idempotencyKey ? await getGenerationByIdempotencyKey(db, user.id, idempotencyKey) : null;
  if (!existing) throw new AppError("internal_error", "Submit conflicted without an idempotency key");
  if (existing.requestHash !== requestHash || existing.kind !== kind) {
    throw new AppError("idempotency_key_reused", "This Idempotency-Key was used with different parameters", {
      field: "Idempotency-Key",
    });
  }
  return { body: accepted(existing, "Generation already submitted"), created: false };
}
