import {
  AppError,
  filesOfData,
  fromWireStatus,
  isTerminal,
  type JobKind,
  jobOutputKeyProblem,
  KIND_INFO,
  type ModerationState,
  parseSize,
  WEBHOOK_PAYLOAD_SCHEMAS,
  type WebhookImage,
  type WebhookPayload,
  type WebhookVideo,
} from "@sorami/contracts";
import { type Database, describeDbError, isDeterministicDbError, type Tx } from "@sorami/db";
import { insertGeneration } from "@sorami/db/queries/generations";
import { organizationIdOf } from "@sorami/db/queries/organizations";
import { userExists } from "@sorami/db/queries/users";
import { recordEventAndLockGeneration } from "@sorami/db/queries/webhooks";
import { parseWith } from "../http/handler";
import { endJobAsFailed } from "../jobs/fail";
import { enqueuePurge, enqueueScreening } from "../jobs/tasks";
import { type StatusChange, transitionGeneration } from "../jobs/transition";
import { log } from "../log";

export type ApplyOutcome =
  | { outcome: "applied"; status: string; filesCount: number }
  | { outcome: "duplicate" }
  | { outcome: "ignored"; reason: "terminal" | "backwards" | "deleted" };

/** The storage keys a file entry reports, by field. */
const KEY_FIELDS = ["file_path", "poster_path", "thumbnail_path"] as const;

/**
 * Every key a `completed` event reports must be a file in the job's own
 * folder, and no key may be listed twice (two files under one key would
 * silently become one while the answer counted two). Refused naming the
 * field, before anything is written.
 */
function assertOwnKeys(kind: JobKind, jobId: string, items: (WebhookImage | WebhookVideo)[]): void {
  const { filesKey } = KIND_INFO[kind];
  const seen = new Map<string, string>();
  items.forEach((item, i) => {
    for (const name of KEY_FIELDS) {
      const key = name === "poster_path" ? ("poster_path" in item ? item.poster_path : undefined) : item[name];
      if (key === undefined) {
        continue;
      }
      const field = `data.${filesKey}.${i}.${name}`;
      const problem = jobOutputKeyProblem(key, kind, jobId);
      if (problem) {
        throw new AppError("invalid_request", `${field}: ${problem}`, { field });
      }
      const first = seen.get(key);
      if (first) {
        throw new AppError("invalid_request", `${field}: the same key as ${first}; each file needs its own`, {
          field,
        });
      }
      seen.set(key, field);
    }
  });
}

/**
 * What a webhook says, in the terms of the state machine: a `completed`
 * event's files (refused when a key lies outside the job's folder or is
 * listed twice), a `failed` one's reason.
 */
export function statusChangeOf(kind: JobKind, payload: WebhookPayload): StatusChange {
  switch (payload.status) {
    case "completed": {
      const items = filesOfData(payload.data);
      assertOwnKeys(kind, payload.job_id, items);
      const metadata = payload.data.metadata;
      return {
        status: "COMPLETED",
        progress: 100,
        message: payload.message ?? `${items.length} ${KIND_INFO[kind].noun}(s) generated`,
        model: metadata?.model_name ?? null,
        processingTimeMs:
          metadata?.generation_time_seconds !== undefined ? Math.round(metadata.generation_time_seconds * 1000) : null,
        providerMetadata: metadata ?? null,
        files: items.map((item) => {
          const { width, height } = parseSize(item.dimensions);
          return {
            storageKey: item.file_path,
            sizeBytes: item.size_bytes,
            format: item.format.toUpperCase(),
            width,
            height,
            description: item.description ?? null,
            durationSeconds: "duration_seconds" in item ? item.duration_seconds : null,
            posterKey: "poster_path" in item ? (item.poster_path ?? null) : null,
            thumbnailKey: item.thumbnail_path ?? null,
          };
        }),
      };
    }
    case "failed":
      return {
        status: "FAILED",
        progress: payload.progress,
        message: payload.message,
        error: payload.error_message,
        errorKind: payload.error_code ?? null,
      };
    default:
      return {
        status: fromWireStatus(payload.status),
        progress: payload.progress,
        message: payload.message,
        error: payload.error_message ?? payload.message,
      };
  }
}

/**
 * Applies one verified webhook event exactly once, in one transaction: the
 * event id is recorded and the job row locked in one statement (a duplicate
 * — even ten at once — finds the id and stops), the state machine decides,
 * and files, status and notification are written together.
 *
 * A webhook for a job this app never created is attributed only to the user
 * its `user_id` names, and only if that user exists; otherwise it is refused.
 * A webhook for a job its owner deleted changes nothing.
 */
export async function applyWebhookEvent(
  db: Database,
  kind: JobKind,
  eventId: string,
  input: unknown,
  options: ApplyOptions = NO_SCREENING,
): Promise<ApplyOutcome> {
  return applyPayload(db, kind, eventId, parseWebhookPayload(kind, input), options);
}

/** How the files of a `completed` event are stored. */
export type ApplyOptions = {
  /**
   * Image screening is on (MODERATION_THRESHOLD): files are stored `pending`
   * — not shown — and their screening is queued in the same transaction.
   * Off: stored `unscreened`. The receiver and the reconciler pass the env's.
   */
  screening: boolean;
};
export const NO_SCREENING: ApplyOptions = { screening: false };

/** The kind's contract decides what an event is: a completed one without files, a failed one without a reason, are 400s. */
export function parseWebhookPayload(kind: JobKind, input: unknown): WebhookPayload {
  return parseWith(WEBHOOK_PAYLOAD_SCHEMAS[kind], input);
}

/** applyWebhookEvent for a payload already parsed by its kind's contract (the receiver parses once). */
export async function applyPayload(
  db: Database,
  kind: JobKind,
  eventId: string,
  payload: WebhookPayload,
  options: ApplyOptions = NO_SCREENING,
): Promise<ApplyOutcome> {
  const change = statusChangeOf(kind, payload);
  const moderationState: ModerationState = options.screening ? "pending" : "unscreened";
  const event: StatusChange = change.files
    ? { ...change, files: change.files.map((f) => ({ ...f, moderationState })) }
    : change;
  const stage = { jobLocked: false };
  try {
    return await applyOnce(db, kind, eventId, payload, event, stage, options);
  } catch (error) {
    if (!isDeterministicDbError(error)) {
      throw error;
    }
    // Only what the job's own rows refused ends the job: an event refused before (its id, say) says nothing of it.
    return refuseUnstorable(db, payload, error, stage.jobLocked && isTerminal(event.status));
  }
}

/** What the job's owner reads when the generator's report of its end could not be stored. */
export const UNSTORABLE_RESULT_MESSAGE = "Sorami could not record this job's result, so the job was stopped";

/**
 * PostgreSQL refused the event for its content (see isDeterministicDbError):
 * applying it again would fail the same way, and a sender retrying a 500
 * would loop for days while the job stayed unfinished. So the event is
 * refused with a 422 — never a 5xx — and, when it reported the job's end,
 * the job ends FAILED with a reason its owner can read; a redelivery then
 * finds a finished job and is acknowledged. A progress event is only
 * refused: the next event carries the job on.
 */
async function refuseUnstorable(
  db: Database,
  payload: WebhookPayload,
  error: unknown,
  endJob: boolean,
): Promise<never> {
  log().error(
    { job_id: payload.job_id, webhook: payload.status, error: describeDbError(error) },
    "webhook event could not be stored",
  );
  if (endJob) {
    await endJobAsFailed(db, payload.job_id, UNSTORABLE_RESULT_MESSAGE, "invalid_event");
  }
  throw new AppError(
    "unprocessable",
    `The ${payload.status} event for job ${payload.job_id} could not be stored${endJob ? "; the job was marked failed" : ""}`,
  );
}

async function applyOnce(
  db: Database,
  kind: JobKind,
  eventId: string,
  payload: WebhookPayload,
  event: StatusChange,
  stage: { jobLocked: boolean },
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const { recorded, generation: locked } = await recordEventAndLockGeneration(tx, {
      id: eventId,
      jobId: payload.job_id,
      status: payload.status,
    });
    if (!recorded) {
      return { outcome: "duplicate" } as const;
    }
    stage.jobLocked = locked !== null;

    const generation = locked ?? (await createFromWebhook(tx, kind, payload));
    if (generation.kind !== kind) {
      throw new AppError("not_found", `Job ${payload.job_id} is not a ${kind} job`);
    }
    if (payload.user_id && payload.user_id !== generation.authorId) {
      throw new AppError("conflict", "user_id does not match the job's owner", { field: "user_id" });
    }
    if (generation.deletedAt) {
      // The owner deleted it: acknowledged, never resurrected; files it reports are purged again.
      if (event.files?.length) {
        await enqueuePurge(tx, generation.id);
      }
      return { outcome: "ignored", reason: "deleted" } as const;
    }
    const decision = await transitionGeneration(tx, generation, event);
    if (!decision.apply) {
      return { outcome: "ignored", reason: decision.reason } as const;
    }
    if (options.screening && decision.status === "COMPLETED" && event.files?.length) {
      await enqueueScreening(tx, generation.id);
    }
    return { outcome: "applied", status: decision.status, filesCount: event.files?.length ?? 0 } as const;
  });
}

async function createFromWebhook(tx: Tx, kind: JobKind, payload: WebhookPayload) {
  const userId = payload.user_id;
  if (!userId) {
    log().warn({ job_id: payload.job_id }, "webhook refused: unknown job and no user_id");
    throw new AppError("not_found", `Unknown job ${payload.job_id}`, { field: "job_id" });
  }
  if (!(await userExists(tx, userId))) {
    log().warn({ job_id: payload.job_id, user_id: userId }, "webhook refused: unknown job for an unknown user");
    throw new AppError("not_found", `Unknown job ${payload.job_id} and unknown user`, { field: "user_id" });
  }
  const data = payload.status === "completed" ? payload.data : undefined;
  const firstImage = data ? filesOfData(data)[0] : undefined;
  const prompt = data?.original_prompt ?? firstImage?.description ?? "(prompt not reported by the generator)";
  const row = await insertGeneration(tx, {
    id: payload.job_id,
    kind,
    authorId: userId,
    organizationId: await organizationIdOf(tx, userId),
    prompt,
    params: {
      source: "generator-direct",
      ...(firstImage ? { size: firstImage.dimensions, format: firstImage.format } : {}),
    },
    model: data?.metadata?.model_name ?? KIND_INFO[kind].defaultModel,
    status: "PENDING",
    createdAt: new Date(),
  });
  log().info({ job_id: row.id, user_id: userId }, "job created from a generator-direct webhook");
  return row;
}
