import type { Database } from "@sorami/db";
import { forceFailGeneration, lockGeneration } from "@sorami/db/queries/generations";
import { log } from "../log";
import { transitionGeneration } from "./transition";

/**
 * Ends a job FAILED with `reason`, which its owner reads, so that no job can
 * stay unfinished because something about it cannot be written. The normal
 * way first: the state machine, the failure notification and the live
 * events, in one transaction. Should that transaction itself fail (something
 * in the job's own data PostgreSQL refuses), the row alone is marked failed,
 * without notification, rather than left counting against its owner's
 * active jobs forever. A job already finished is left as it is.
 */
export async function endJobAsFailed(db: Database, id: string, reason: string, errorKind: string): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      const locked = await lockGeneration(tx, id);
      if (locked) {
        await transitionGeneration(tx, locked, {
          status: "FAILED",
          error: reason,
          errorKind,
          message: "Generation failed",
        });
      }
    });
  } catch (error) {
    log().error({ job_id: id, err: error }, "failing the job the normal way failed; marking the row alone");
    await forceFailGeneration(db, id, reason, errorKind);
  }
}
