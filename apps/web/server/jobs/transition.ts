import { randomUUID } from "node:crypto";
import { decideTransition, type JobStatus, KIND_INFO, type TransitionDecision } from "@sorami/contracts";
import { type Generation, type NotificationRow, schema, type Tx } from "@sorami/db";
import { publishUserEvents, type UserEventInput } from "@sorami/db/queries/events";
import { eq, type SQLWrapper } from "drizzle-orm";
import { toNotification } from "../notifications";
import { toJobEvent } from "./present";

export type StoredFile = {
  storageKey: string;
  sizeBytes: number;
  format: string;
  width: number;
  height: number;
  description: string | null;
  durationSeconds?: number | null;
  posterKey?: string | null;
  thumbnailKey?: string | null;
  metadata?: Record<string, unknown>;
};

export type JobEvent = {
  status: JobStatus;
  progress?: number | null;
  message?: string | null;
  error?: string | null;
  files?: StoredFile[];
  model?: string | null;
  processingTimeMs?: number | null;
  providerMetadata?: Record<string, unknown> | null;
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
export async function transitionGeneration(tx: Tx, g: Generation, event: JobEvent): Promise<TransitionDecision> {
  const decision = decideTransition({ status: g.status, progress: g.progress }, event);
  if (!decision.apply) {
    return decision;
  }
  const now = new Date();
  const terminal = decision.status === "COMPLETED" || decision.status === "FAILED" || decision.status === "CANCELED";
  const message = event.message ?? g.message;
  const error = decision.status === "FAILED" ? (event.error ?? "Generation failed") : g.error;
  const writes: SQLWrapper[] = [
    tx
      .update(schema.generations)
      .set({
        status: decision.status,
        progress: decision.progress,
        message,
        error,
        model: event.model ?? g.model,
        processingTimeMs:
          event.processingTimeMs ?? (terminal ? now.getTime() - g.createdAt.getTime() : g.processingTimeMs),
        providerMetadata: event.providerMetadata ?? g.providerMetadata,
        updatedAt: now,
        startedAt: g.startedAt ?? (STARTED_STATUSES.includes(decision.status) ? now : null),
        completedAt: terminal ? now : g.completedAt,
      })
      .where(eq(schema.generations.id, g.id)),
  ];
  const events: UserEventInput[] = [
    {
      type: "job",
      data: toJobEvent({ ...g, status: decision.status, progress: decision.progress, message, error, updatedAt: now }),
    },
  ];

  const info = KIND_INFO[g.kind];
  const files = decision.status === "COMPLETED" ? (event.files ?? []) : [];
  if (files.length > 0) {
    writes.push(
      tx
        .insert(schema.mediaFiles)
        .values(files.map((f, index) => ({ id: randomUUID(), generationId: g.id, index, ...f })))
        .onConflictDoNothing(),
    );
  }
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
        ? `${files.length} ${info.noun}(s) generated for “${g.prompt.slice(0, 80)}”`
        : (event.error ?? "Generation failed"),
      metadata: { job_id: g.id, kind: g.kind },
      readAt: null,
      createdAt: now,
    };
    writes.push(tx.insert(schema.notifications).values(notification));
    events.push({ type: "notification", data: toNotification(notification) });
  }
  await publishUserEvents(tx, g.authorId, events, writes);
  return decision;
}
