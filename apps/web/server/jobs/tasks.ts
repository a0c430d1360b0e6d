import { HTTP_REQUEST_ID_MAX_LENGTH } from "@sorami/contracts";
import { QUEUE_SCHEMAS, type Tx } from "@sorami/db";
import { defineTask, enqueueTask, idPayload } from "@sorami/db/tasks";
import { z } from "zod";
import { GeneratorRefused } from "../generator-client";

/**
 * The web app's queue tasks, each defined once: its name, payload (ids
 * only), attempts, time limit. Handlers are bound in `worker.ts`; every
 * enqueue goes through these definitions.
 *
 * Attempts: graphile-worker waits exp(min(n, 10)) s after failed run n, so
 * 10 runs span ~10 h and 25 runs ~3 days.
 */
export const WEB_TASKS = {
  /**
   * Hand a new job to the generator; retried with backoff while it is
   * unreachable. 25 runs (~3 days): past that the reconciler re-dispatches
   * or fails the job by its age.
   */
  dispatch: defineTask({
    name: "dispatch-generation",
    queue: QUEUE_SCHEMAS.web,
    // The submit's request id rides along, so the generator logs the hand-over under the user's request.
    payload: z.object({ jobId: z.string().min(1), requestId: z.string().max(HTTP_REQUEST_ID_MAX_LENGTH).optional() }),
    maxAttempts: 25,
    // One call to the generator (it answers at once: it only queues) and two statements.
    timeoutMs: 60_000,
    // One key per job, so a re-dispatch replaces a waiting one.
    jobKey: (p) => `dispatch:${p.jobId}`,
  }),
  /**
   * Tell the generator a job was canceled, so it stops the provider call.
   * 10 runs (~10 h): a job still running at the generator by then has hit
   * its own time limit (at most 30 min).
   */
  cancel: defineTask({
    name: "cancel-generation",
    queue: QUEUE_SCHEMAS.web,
    payload: idPayload("jobId"),
    maxAttempts: 10,
    timeoutMs: 60_000,
    jobKey: (p) => `cancel:${p.jobId}`,
    // A cancel the generator refuses (a 4xx other than "no such job") would be refused again.
    retryable: (error) => !(error instanceof GeneratorRefused),
  }),
  /**
   * Delete a deleted job's files from storage and its media rows (again, if
   * late files arrive). 10 runs (~10 h) for a storage that is away; a late
   * webhook queues another.
   */
  purge: defineTask({
    name: "purge-generation-files",
    queue: QUEUE_SCHEMAS.web,
    payload: idPayload("jobId"),
    maxAttempts: 10,
    // A job's prefixes on S3: a listing and a batch delete per 1000 keys, each a round trip.
    timeoutMs: 5 * 60_000,
    // Repeated deletes and late webhooks queue one purge.
    jobKey: (p) => `purge:${p.jobId}`,
  }),
  /**
   * Score a completed job's files (the generator runs the model) and hold
   * those at or above MODERATION_THRESHOLD; queued with the `completed`
   * event while screening is on. 25 runs (~3 days) while the generator is
   * away: the files stay pending (not shown) meanwhile, never unscreened.
   */
  screen: defineTask({
    name: "screen-generation-files",
    queue: QUEUE_SCHEMAS.web,
    payload: idPayload("jobId"),
    maxAttempts: 25,
    // One generator call (GENERATOR_SCREEN_TIMEOUT_MS) and, per held file, a small blurred copy.
    timeoutMs: 5 * 60_000,
    jobKey: (p) => `screen:${p.jobId}`,
  }),
  /**
   * Fetch a file a backend reported from elsewhere (its `url`: an S3 link)
   * into the job's folder (see media/remote.ts). 5 runs (~1.5 min, waits of
   * 3, 7, 20, 55 s) ride out a backend or bucket that blinks; a refusal that
   * waiting cannot change (403/404 from an expired presigned URL, a refused
   * address, too large, not a file of the job's kind) marks the file missing
   * at once, and so does the last run.
   */
  fetchRemoteFile: defineTask({
    name: "fetch-remote-file",
    queue: QUEUE_SCHEMAS.web,
    payload: idPayload("fileId"),
    maxAttempts: 5,
    // One download (REMOTE_FILE_DOWNLOAD_TIMEOUT_MS, 3 min for a video) and a put; a little more for the rows.
    timeoutMs: 4 * 60_000,
    jobKey: (p) => `fetch-remote-file:${p.fileId}`,
  }),
  /**
   * Find jobs with no news past their kind's SLA and ask the generator for
   * the truth. Each run queues the next itself; one key, so however many
   * web processes run there is one run queued.
   */
  reconcile: defineTask({
    name: "reconcile-generations",
    queue: QUEUE_SCHEMAS.web,
    payload: z.object({}),
    maxAttempts: 25,
    // A batch of RECONCILE_BATCH (100) jobs, each a generator call of at most 10 s.
    timeoutMs: 20 * 60_000,
    jobKey: () => "reconcile",
  }),
};

/** Queues the hand-over of a job to the generator, in the caller's transaction (with the submit's request id). */
export async function enqueueDispatch(tx: Tx, jobId: string, requestId?: string): Promise<void> {
  await enqueueTask(tx, WEB_TASKS.dispatch, requestId ? { jobId, requestId } : { jobId });
}

/** Queues the screening of a job's new files, in the transaction that stored them. */
export async function enqueueScreening(tx: Tx, jobId: string): Promise<void> {
  await enqueueTask(tx, WEB_TASKS.screen, { jobId });
}

/** Queues the fetch of a remote file, in the transaction that writes its row. */
export async function enqueueFetchRemoteFile(tx: Tx, fileId: string): Promise<void> {
  await enqueueTask(tx, WEB_TASKS.fetchRemoteFile, { fileId });
}

/**
 * Queues the purge of a deleted job's files, in the caller's transaction: the
 * files go even if the process dies right after the delete commits.
 */
export async function enqueuePurge(tx: Tx, jobId: string): Promise<void> {
  await enqueueTask(tx, WEB_TASKS.purge, { jobId });
}
