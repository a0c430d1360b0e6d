import { randomUUID } from "node:crypto";
import {
  decideTransition,
  JOB_ERROR_MAX_LENGTH,
  type JobStatus,
  KIND_INFO,
  NOTIFICATION_PROMPT_EXCERPT_LENGTH,
  PG_INTEGER_MAX,
  storableText,
  type TransitionDecision,
  truncateText,
} from "@sorami/contracts";
import type { Generation, NotificationRow, Tx } from "@sorami/db";
import type { UserEventInput } from "@sorami/db/queries/events";
import { type NewMediaFile, writeTransition } from "@sorami/db/queries/transitions";
import { toNotification } from "../notifications";
import { recordJobFinished } from "./metrics";
import { toJobEvent } from "./present";

/** One status change of a job, whoever reports it (a webhook, the reconciler, a cancel, a refused dispatch). */
export type StatusChange = {
  status: JobStatus;
  progress?: number | null;
  message?: string | null;
  error?: string | null;
  /** What failed the job, in a word (see generations.error_kind); kept only with FAILED. */
  errorKind?: string | null;
  files?: NewMediaFile[];
  /** The model serving the job and its provider, when the event says (from the provider call on). */
  model?: string | null;
  provider?: string | null;
  processingTimeMs?: number | null;
  /** A completed job's metadata (replaces what was kept), or news to merge in (a request id, fallbacks). */
  providerMetadata?: Record<string, unknown> | null;
  /** The sender's time (the webhook's `timestamp`), when it gave a valid one. */
  reportedAt?: Date | null;
};

/** Statuses that show the generator took the job up (a job can also fail or be canceled before it starts). */
const STARTED_STATUSES: readonly JobStatus[] = ["INITIALIZING", "GENERATING", "SAVING", "COMPLETED"];

/**
 * Applies one status change to a locked generation row: the state machine
 * decides, then status, files, notification and the owner's live events are
 * written in the caller's transaction, in one statement (every status change
 * of every job comes through here: see bench/). Every path that changes a
 * job's status comes through here.
 */
export async function transitionGeneration(tx: Tx, g: Generation, event: StatusChange): Promise<TransitionDecision> {
  const decision = decideTransition(
    { status: g.status, progress: g.progress, message: g.message, reportedAt: g.reportedAt },
    event,
  );
  if (!decision.apply) {
    return decision;
  }
  const now = new Date();
  const terminal = decision.status === "COMPLETED" || decision.status === "FAILED" || decision.status === "CANCELED";
  const message = event.message ?? g.message;
  // A failure must always be recordable: its text is cut and made storable here, whoever reported it.
  const error =
    decision.status === "FAILED"
      ? storableText(truncateText(event.error ?? "Generation failed", JOB_ERROR_MAX_LENGTH, { ellipsis: "…" }))
      : g.error;
  const events: UserEventInput[] = [
    {
      type: "job",
      data: toJobEvent({ ...g, status: decision.status, progress: decision.progress, message, error, updatedAt: now }),
    },
  ];

  const info = KIND_INFO[g.kind];
  const files = decision.status === "COMPLETED" ? (event.files ?? []) : [];
  let notification: NotificationRow | null = null;
  if (decision.status === "COMPLETED" || decision.status === "FAILED") {
    const completed = decision.status === "COMPLETED";
    notification = {
      id: randomUUID(),
      userId: g.authorId,
      type: completed ? info.notification.completed : info.notification.failed,
      title: completed
        ? `${info.noun === "image" ? "Images" : "Videos"} ready`
        : `${info.noun === "image" ? "Image" : "Video"} generation failed`,
      message: completed
        ? `${files.length} ${info.noun}(s) generated for “${truncateText(g.prompt, NOTIFICATION_PROMPT_EXCERPT_LENGTH, { ellipsis: "…" })}”`
        : (error ?? "Generation failed"),
      metadata: { job_id: g.id, kind: g.kind },
      readAt: null,
      createdAt: now,
    };
    events.push({ type: "notification", data: toNotification(notification) });
  }
  await writeTransition(tx, {
    generationId: g.id,
    ownerId: g.authorId,
    set: {
      status: decision.status,
      progress: decision.progress,
      message,
      error,
      errorKind: decision.status === "FAILED" ? (event.errorKind ?? null) : g.errorKind,
      model: event.model ?? g.model,
      provider: event.provider ?? g.provider,
      // Measured here, a job that waited past int4 milliseconds (~24.8 days: a long JOB_MAX_AGE) would fail the write.
      processingTimeMs:
        event.processingTimeMs ??
        (terminal ? Math.min(now.getTime() - g.createdAt.getTime(), PG_INTEGER_MAX) : g.processingTimeMs),
      // A completed job's metadata is its whole story; earlier news (a request id, fallbacks) is merged in.
      providerMetadata:
        decision.status === "COMPLETED"
          ? (event.providerMetadata ?? g.providerMetadata)
          : event.providerMetadata
            ? { ...g.providerMetadata, ...event.providerMetadata }
            : g.providerMetadata,
      reportedAt:
        event.reportedAt && (!g.reportedAt || event.reportedAt > g.reportedAt) ? event.reportedAt : g.reportedAt,
      updatedAt: now,
      startedAt: g.startedAt ?? (STARTED_STATUSES.includes(decision.status) ? now : null),
      completedAt: terminal ? now : g.completedAt,
    },
    files,
    notification,
    events,
  });
  if (terminal) {
    recordJobFinished(
      { kind: g.kind, model: event.model ?? g.model, provider: event.provider ?? g.provider },
      decision.status,
      now.getTime() - g.createdAt.getTime(),
    );
  }
  return decision;
}
