import { AppError, type JobKind, type JobStatusResponse } from "@sorami/contracts";
import type { Database, Generation, Tx } from "@sorami/db";
import { getGenerationById, lockGeneration } from "@sorami/db/queries/generations";
import { enqueueTask } from "@sorami/db/tasks";
import type { GeneratorClient } from "../generator-client";
import type { SessionUser } from "../session";
import { toStatusResponse } from "./present";
import { ownedJob } from "./read";
import { WEB_TASKS } from "./tasks";
import { transitionGeneration } from "./transition";

/**
 * Cancels one of the user's jobs: CANCELED now (terminal, so a result that
 * arrives later is discarded), and a queued task tells the generator to stop.
 * A job that already ended is a 409.
 */
export async function cancelGeneration(
  db: Database,
  user: SessionUser,
  kind: JobKind,
  id: string,
): Promise<JobStatusResponse> {
  const owned = await ownedJob(db, user, kind, id);
  return db.transaction(async (tx) => {
    const g = await lockGeneration(tx, owned.id);
    if (!g || g.deletedAt) {
      throw new AppError("not_found", "Job not found");
    }
    if (!(await cancelLocked(tx, g))) {
      throw new AppError("conflict", `The job has already ended (${g.status})`);
    }
    return toStatusResponse((await getGenerationById(tx, g.id)) ?? g);
  });
}

/**
 * Cancels a job whose row the caller's transaction has locked, and queues the
 * message to the generator in that transaction. False when it already ended.
 */
export async function cancelLocked(tx: Tx, g: Generation): Promise<boolean> {
  const decision = await transitionGeneration(tx, g, { status: "CANCELED", message: "Canceled" });
  if (!decision.apply) {
    return false;
  }
  await enqueueTask(tx, WEB_TASKS.cancel, { jobId: g.id });
  return true;
}

/**
 * The queued half: the generator stops the job (when it never got it there is
 * nothing to stop). A documents backend has no cancel: the job is CANCELED
 * in Sorami alone, and whatever the backend still reports is discarded.
 */
export async function propagateCancel(jobId: string, generator: GeneratorClient): Promise<void> {
  if (!generator.capabilities.cancel) {
    return;
  }
  await generator.cancel(jobId);
}
