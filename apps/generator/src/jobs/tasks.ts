import type { JobKind } from "@sorami/contracts";
import { QUEUE_SCHEMAS, type Tx } from "@sorami/db";
import { defineTask, enqueueTask, idPayload } from "@sorami/db/tasks";

/**
 * A job that has not finished in this time fails: no provider call may hold a
 * worker forever. Real video models take minutes, so videos get longer.
 */
export const JOB_TIME_LIMIT_MS: Record<JobKind, number> = { image: 10 * 60_000, video: 30 * 60_000 };

/**
 * Queue priority of delivery attempts (graphile-worker runs lower numbers
 * first; generate jobs run at 0): a finished job's news goes out before the
 * next job starts. Measured under overload (bench pipeline section): without
 * it a `completed` webhook waited ~15 s behind queued generate jobs.
 */
export const DELIVERY_PRIORITY = -1;

/**
 * The generator's queue tasks, each defined once: its name, payload (ids
 * only), attempts, time limit. Handlers are bound in `worker.ts`; every
 * enqueue goes through these definitions.
 */
export const GENERATOR_TASKS = {
  /**
   * Run one job: provider call, storage, status webhooks. A provider's
   * failures are counted in generator.jobs.attempts and retried by the task
   * itself (MAX_GENERATE_ATTEMPTS, with the provider's Retry-After); these 5
   * runs only cover our own crashes (database away, a killed process).
   */
  generate: defineTask({
    name: "generate",
    queue: QUEUE_SCHEMAS.generator,
    payload: idPayload("jobId"),
    maxAttempts: 5,
    // A backstop only: the run stops itself at its kind's JOB_TIME_LIMIT_MS; a minute more to record the failure.
    timeoutMs: Math.max(...Object.values(JOB_TIME_LIMIT_MS)) + 60_000,
    // One key per job, so a job has at most one run waiting.
    jobKey: (p) => `generate:${p.jobId}`,
  }),
  /**
   * POST one signed webhook to the web app. The receiver's failures are
   * retried on the Standard Webhooks schedule (each attempt queued anew);
   * these 25 runs only cover our own crashes (database away).
   */
  deliverWebhook: defineTask({
    name: "deliver-webhook",
    queue: QUEUE_SCHEMAS.generator,
    payload: idPayload("deliveryId"),
    maxAttempts: 25,
    // One POST of at most WEBHOOK_ATTEMPT_TIMEOUT_MS (15 s) and two statements.
    timeoutMs: 60_000,
    priority: DELIVERY_PRIORITY,
    // One queued attempt per delivery at a time.
    jobKey: (p) => `deliver:${p.deliveryId}`,
  }),
};

/** Queues a run of a job (now, or at `runAt` for a retry), in the caller's transaction. */
export async function enqueueGenerate(tx: Tx, jobId: string, runAt?: Date): Promise<void> {
  await enqueueTask(tx, GENERATOR_TASKS.generate, { jobId }, { runAt });
}
