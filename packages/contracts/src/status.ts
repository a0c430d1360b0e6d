import { z } from "zod";

/**
 * The life of a job, shared by every job kind. A job only moves forward:
 * PENDING → INITIALIZING → GENERATING → SAVING → COMPLETED | FAILED | CANCELED.
 * Terminal states are final. Steps may be skipped (a job can fail from any
 * non-terminal state, and a lost `saving` webhook must not block `completed`).
 */
export const JOB_STATUSES = [
  "PENDING",
  "INITIALIZING",
  "GENERATING",
  "SAVING",
  "COMPLETED",
  "FAILED",
  "CANCELED",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const jobStatusSchema = z.enum(JOB_STATUSES);

export const TERMINAL_STATUSES: readonly JobStatus[] = ["COMPLETED", "FAILED", "CANCELED"];

/** Order of the forward path; all terminal states share the last rank. */
const RANK: Record<JobStatus, number> = {
  PENDING: 0,
  INITIALIZING: 1,
  GENERATING: 2,
  SAVING: 3,
  COMPLETED: 4,
  FAILED: 4,
  CANCELED: 4,
};

/** Progress a status implies when the event carries none (document 000's values). */
export const DEFAULT_PROGRESS: Record<JobStatus, number> = {
  PENDING: 0,
  INITIALIZING: 25,
  GENERATING: 60,
  SAVING: 90,
  COMPLETED: 100,
  FAILED: 0,
  CANCELED: 0,
};

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type TransitionDecision =
  | { apply: true; status: JobStatus; progress: number }
  | { apply: false; reason: "terminal" | "backwards" };

/**
 * The one function that decides every status change, in both services (the
 * web app's `generations`, the generator's `generator.jobs`). `progress`
 * never decreases; a same-status event may raise progress (e.g. 40 % → 70 %
 * while GENERATING) but nothing else — except new words from the provider
 * at the same progress (fal's "In queue — position 2"), when the event is
 * known to be newer than the last one applied (`reportedAt`, the sender's
 * time): deliveries may arrive out of order, and an older message must not
 * replace a newer one.
 */
export function decideTransition(
  current: { status: JobStatus; progress: number; message?: string | null; reportedAt?: Date | null },
  next: { status: JobStatus; progress?: number | null; message?: string | null; reportedAt?: Date | null },
): TransitionDecision {
  if (isTerminal(current.status)) {
    return { apply: false, reason: "terminal" };
  }
  if (RANK[next.status] < RANK[current.status]) {
    return { apply: false, reason: "backwards" };
  }
  const wanted = wantedProgress(next);
  const progress = next.status === "COMPLETED" ? 100 : Math.max(current.progress, wanted);
  if (next.status === current.status && progress === current.progress) {
    const newer = Boolean(next.reportedAt && current.reportedAt && next.reportedAt > current.reportedAt);
    const news = Boolean(next.message) && next.message !== current.message;
    if (!(newer && news)) {
      return { apply: false, reason: "backwards" };
    }
  }
  return { apply: true, status: next.status, progress };
}

/** The progress an event asks for: its own, else what its status implies. */
export function wantedProgress(next: { status: JobStatus; progress?: number | null }): number {
  return next.progress ?? DEFAULT_PROGRESS[next.status];
}

/**
 * The statuses decideTransition lets a job leave for `to` (a same-status
 * move must raise progress too): for a database that decides in the statement
 * that writes (the generator's `advanceGeneratorJob`), where a read, decide
 * and write would be three round trips per stage.
 */
export function statusesMovingTo(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => !isTerminal(from) && RANK[to] >= RANK[from]);
}

/** Webhooks carry statuses in lower case (documents 000 and 002). */
export const WIRE_STATUSES = [
  "pending",
  "initializing",
  "generating",
  "saving",
  "completed",
  "failed",
  "canceled",
] as const;
export type WireStatus = (typeof WIRE_STATUSES)[number];

/** The events after `event` in a job's life: a delivery of any of them carries newer news. None after an end. */
export function laterEvents(event: string): WireStatus[] {
  const at = WIRE_STATUSES.indexOf(event as WireStatus);
  if (at < 0 || isTerminal(fromWireStatus(WIRE_STATUSES[at] as WireStatus))) {
    return [];
  }
  return WIRE_STATUSES.slice(at + 1);
}

export function fromWireStatus(status: WireStatus): JobStatus {
  return status.toUpperCase() as JobStatus;
}
export function toWireStatus(status: JobStatus): WireStatus {
  return status.toLowerCase() as WireStatus;
}
