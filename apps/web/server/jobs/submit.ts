import { createHash, randomUUID } from "node:crypto";
import {
  ACTIVE_JOBS_RETRY_AFTER_SECONDS,
  AppError,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  idempotencyKeySchema,
  inputImageKey,
  inputPrefix,
  type JobAccepted,
  type JobKind,
  SUBMISSION_WINDOW_SECONDS,
} from "@sorami/contracts";
import { assertInputImagePixels } from "@sorami/contracts/image-pixels";
import type { Database, Generation, Tx } from "@sorami/db";
import { getGenerationByIdempotencyKey, insertGeneration } from "@sorami/db/queries/generations";
import { organizationIdOfSql } from "@sorami/db/queries/organizations";
import { activeJobCount, lockUserSubmissions, recentSubmissions } from "@sorami/db/queries/quotas";
import type { Storage } from "@sorami/storage";
import { currentRequestId, log } from "../log";
import type { SessionUser } from "../session";
import { recordJobSubmitted } from "./metrics";
import type { Submission } from "./params";
import { enqueueDispatch } from "./tasks";

function accepted(g: Generation, message: string): JobAccepted {
  return { job_id: g.id, status: g.status, message, created_at: g.createdAt.toISOString() };
}

export function validateIdempotencyKey(raw: string | null): string | null {
  if (raw === null) {
    return null;
  }
  if (!idempotencyKeySchema.safeParse(raw).success) {
    throw new AppError(
      "invalid_request",
      `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters`,
      { field: "Idempotency-Key" },
    );
  }
  return raw;
}

export type Quotas = { submissionsPerMinute: number; maxActiveJobs: number };

/** What submitting a job needs besides the job: where it is written, whose it is, and the owner's quotas. */
export type SubmitContext = { db: Database; storage: Storage; user: SessionUser; quotas: Quotas };

/**
 * 429 with Retry-After when the user already has the most unfinished jobs
 * allowed, or made the most submissions allowed in the last minute. Counted
 * in the database under the user's submit lock, so the quotas hold across
 * any number of web processes and concurrent requests.
 */
async function assertWithinQuotas(tx: Tx, userId: string, quotas: Quotas): Promise<void> {
  const active = await activeJobCount(tx, userId);
  if (active >= quotas.maxActiveJobs) {
    throw new AppError(
      "rate_limited",
      `You have ${active} unfinished jobs, the most allowed at once; wait for one to end or cancel one`,
      { headers: { "Retry-After": String(ACTIVE_JOBS_RETRY_AFTER_SECONDS) } },
    );
  }
  const recent = await recentSubmissions(tx, userId, SUBMISSION_WINDOW_SECONDS);
  if (recent.count >= quotas.submissionsPerMinute) {
    // A slot frees when the oldest submission of the window leaves it.
    const frees = recent.oldest ? recent.oldest.getTime() + SUBMISSION_WINDOW_SECONDS * 1000 : Date.now();
    const wait = Math.min(SUBMISSION_WINDOW_SECONDS, Math.max(1, Math.ceil((frees - Date.now()) / 1000)));
    throw new AppError(
      "rate_limited",
      `At most ${quotas.submissionsPerMinute} submissions per minute; try again in ${wait} s`,
      { headers: { "Retry-After": String(wait) } },
    );
  }
}

/**
 * Creates the job row first — its id is the job id everywhere — and queues
 * its dispatch to the generator in the same transaction: no job without a
 * dispatch, no dispatch without a job. A retried submit carrying the same
 * Idempotency-Key returns the first job (whatever the quotas say now); the
 * same key with other parameters is refused, and so is the key of a job its
 * owner deleted (409): a retry must not bring back, and pay again for, work
 * its owner threw away, and the first answer — that job — is gone, so a new
 * submission needs a new key. An input image is stored
 * first, under the new job's id, and removed again if the job is not created.
 */
export async function submitGeneration(
  { db, storage, user, quotas }: SubmitContext,
  kind: JobKind,
  submission: Submission,
  idempotencyKey: string | null,
): Promise<{ body: JobAccepted; created: boolean }> {
  const { prompt, ...rest } = submission.params;
  const hash = createHash("sha256").update(JSON.stringify({ kind, params: submission.params }));
  if (submission.inputImage) {
    hash.update(submission.inputImage.bytes);
  }
  const requestHash = hash.digest("hex");
  if (submission.inputImage) {
    await assertInputImagePixels(submission.inputImage.bytes, "input_image_base64");
  }
  const id = randomUUID();
  const params: Record<string, unknown> = { ...rest };
  if (submission.inputImage) {
    const key = inputImageKey(id, submission.inputImage.type);
    await storage.put(key, submission.inputImage.bytes, submission.inputImage.type);
    params.input_image_key = key;
  }
  const result = await db
    .transaction(async (tx) => {
      await lockUserSubmissions(tx, user.id);
      const earlier = idempotencyKey ? await getGenerationByIdempotencyKey(tx, user.id, idempotencyKey) : null;
      if (earlier) {
        return { row: null, earlier };
      }
      await assertWithinQuotas(tx, user.id, quotas);
      const row = await insertGeneration(tx, {
        id,
        kind,
        authorId: user.id,
        organizationId: organizationIdOfSql(user.id),
        prompt,
        params,
        model: submission.model.id,
        provider: submission.model.provider,
        status: "PENDING",
        progress: 0,
        message: "Waiting for the generator",
        idempotencyKey,
        requestHash,
        retryOf: submission.retryOf ?? null,
        // Millisecond precision, so keyset cursors made from JS dates compare exactly.
        createdAt: new Date(),
      });
      await enqueueDispatch(tx, row.id, currentRequestId());
      return { row, earlier: null };
    })
    .catch(async (error: unknown) => {
      if (submission.inputImage) {
        await storage.deletePrefix(inputPrefix(id));
      }
      throw error;
    });
  if (result.row) {
    recordJobSubmitted(result.row);
    log().info({ job_id: result.row.id, kind }, "job submitted");
    return { body: accepted(result.row, "Generation started"), created: true };
  }

  if (submission.inputImage) {
    await storage.deletePrefix(inputPrefix(id));
  }
  const existing = result.earlier;
  if (existing.deletedAt) {
    throw new AppError("conflict", "The job this Idempotency-Key created was deleted; send a new key to submit again", {
      field: "Idempotency-Key",
    });
  }
  if (existing.requestHash !== requestHash || existing.kind !== kind) {
    throw new AppError("idempotency_key_reused", "This Idempotency-Key was used with different parameters", {
      field: "Idempotency-Key",
    });
  }
  return { body: accepted(existing, "Generation already submitted"), created: false };
}
