import { enqueue, QUEUE_SCHEMAS, type Tx } from "@sorami/db";

/** The web app's queue tasks. Payloads carry ids only. */
export const WEB_TASKS = {
  /** Hand a new job to the generator; retried with backoff while it is unreachable. */
  dispatch: "dispatch-generation",
  /** Tell the generator a job was canceled, so it stops the provider call. */
  cancel: "cancel-generation",
  /** Find jobs with no news past their kind's SLA and ask the generator for the truth. */
  reconcile: "reconcile-generations",
  /** Delete a deleted job's files from storage and its media rows (again, if late files arrive). */
  purge: "purge-generation-files",
} as const;

export type DispatchPayload = { jobId: string };

/** Queues the hand-over of a job to the generator; one key per job, so a re-dispatch replaces a waiting one. */
export async function enqueueDispatch(tx: Tx, jobId: string): Promise<void> {
  const payload: DispatchPayload = { jobId };
  await enqueue(tx, QUEUE_SCHEMAS.web, WEB_TASKS.dispatch, payload, { jobKey: `dispatch:${jobId}` });
}

/**
 * Queues the purge of a deleted job's files, in the caller's transaction: the
 * files go even if the process dies right after the delete commits. One key
 * per job, so repeated deletes and late webhooks queue one purge.
 */
export async function enqueuePurge(tx: Tx, jobId: string): Promise<void> {
  await enqueue(tx, QUEUE_SCHEMAS.web, WEB_TASKS.purge, { jobId }, { jobKey: `purge:${jobId}`, maxAttempts: 10 });
}
