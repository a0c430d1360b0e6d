import {
  AppError,
  filesOfData,
  fromWireStatus,
  isTerminal,
  type JobKind,
  KIND_INFO,
  type ModerationState,
  storableInstant,
  WEBHOOK_PAYLOAD_SCHEMAS,
  type WebhookPayload,
} from "@sorami/contracts";
import { type Database, describeDbError, isDeterministicDbError } from "@sorami/db";
import { recordEventAndLockGeneration } from "@sorami/db/queries/webhooks";
import { parseWith } from "../http/handler";
import { endJobAsFailed } from "../jobs/fail";
import { enqueueFetchRemoteFile, enqueuePurge, enqueueScreening } from "../jobs/tasks";
import { type StatusChange, transitionGeneration } from "../jobs/transition";
import { log } from "../log";
import { completeReportedPrompt, createFromWebhook } from "./direct";
import { placeReportedFiles } from "./files";

export type ApplyOutcome =
  | { outcome: "applied"; status: string; filesCount: number }
  | { outcome: "duplicate" }
  | { outcome: "ignored"; reason: "terminal" | "backwards" | "deleted" };

/** The sender's time, when it gave a valid one. */
function reportedAt(payload: WebhookPayload): Date | null {
  return storableInstant(payload.timestamp);
}

/** What the generator says of the model serving the job (any event from the provider call on). */
function servingOf(payload: WebhookPayload): Pick<StatusChange, "model" | "provider" | "providerMetadata"> {
  const s = payload.serving;
  if (!s) {
    return {};
  }
  return {
    model: s.model,
    provider: s.provider,
    providerMetadata: {
      ...(s.request_id ? { request_id: s.request_id } : {}),
      ...(s.fallbacks?.length ? { fallbacks: s.fallbacks } : {}),
    },
  };
}

/**
 * What a webhook says, in the terms of the state machine: a `completed`
 * event's files (stored, or remote and pending: see files.ts), a `failed`
 * one's reason, and from the provider call on the model serving the job
 * (`serving`) and the sender's time. Refuses a `completed` whose keys are
 * outside the job's folder (for a file without a url to fetch it from) or
 * listed twice.
 */
export function statusChangeOf(kind: JobKind, payload: WebhookPayload): StatusChange {
  const sent = { reportedAt: reportedAt(payload), ...servingOf(payload) };
  switch (payload.status) {
    case "completed": {
      const items = filesOfData(payload.data);
      const metadata = payload.data.metadata;
      return {
        ...sent,
        status: "COMPLETED",
        progress: 100,
        message: payload.message ?? `${items.length} ${KIND_INFO[kind].noun}(s) generated`,
        model: metadata?.model_name ?? sent.model ?? null,
        provider: typeof metadata?.provider === "string" ? metadata.provider : (sent.provider ?? null),
        processingTimeMs:
          metadata?.generation_time_seconds !== undefined ? Math.round(metadata.generation_time_seconds * 1000) : null,
        providerMetadata: metadata ?? null,
        files: placeReportedFiles(kind, payload.job_id, items),
      };
    }
    case "failed":
      return {
        ...sent,
        status: "FAILED",
        progress: payload.progress,
        message: payload.message,
        error: payload.error_message,
        errorKind: payload.error_code ?? null,
      };
    default:
      return {
        ...sent,
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
    await completeReportedPrompt(tx, generation, payload);
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
    // Files from elsewhere are fetched after the answer, by a task queued with the rows that name them.
    for (const file of event.files ?? []) {
      if (file.state === "pending" && file.id) {
        await enqueueFetchRemoteFile(tx, file.id);
      }
    }
    return { outcome: "applied", status: decision.status, filesCount: event.files?.length ?? 0 } as const;
  });
}
