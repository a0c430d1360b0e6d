import { TERMINAL_STATUSES } from "@sorami/contracts";
import { and, eq, notInArray, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { type GeneratorJob, generatorJobs, webhookDeliveries } from "../schema";
import { rowOf } from "./rows";

/**
 * The generator's job rows (schema `generator`). The generator never reads
 * the web app's tables, nor the web app these.
 */

/**
 * Inserts a job under its caller's id, or finds the job already there:
 * `created` false means the id was taken (a repeated submit).
 */
export async function insertGeneratorJob(
  tx: Tx,
  values: typeof generatorJobs.$inferInsert,
): Promise<{ job: GeneratorJob | null; created: boolean }> {
  const [inserted] = await tx.insert(generatorJobs).values(values).onConflictDoNothing().returning();
  if (inserted) {
    return { job: inserted, created: true };
  }
  return { job: await getGeneratorJob(tx, values.id), created: false };
}

export async function getGeneratorJob(db: Tx, id: string): Promise<GeneratorJob | null> {
  const [row] = await db.select().from(generatorJobs).where(eq(generatorJobs.id, id));
  return row ?? null;
}

/** A webhook delivery to store with a job's status change: the exact body every attempt sends. */
export type NewDelivery = { id: string; event: string; url: string; body: string };

/**
 * Changes a job that has not ended and, when `announce` is given, stores its
 * webhook delivery and queues the delivery's first attempt, in one statement,
 * atomic on its own. (job, event) is unique, so a re-run announces each event
 * once, and the attempt is queued only if the delivery was stored. Returns the
 * updated row, or null when the job had already ended (canceled meanwhile):
 * then nothing is written or announced.
 */
export async function advanceGeneratorJob(
  db: Tx,
  id: string,
  patch: Partial<Pick<GeneratorJob, "status" | "error" | "result" | "completedAt">> & { bumpAttempts?: boolean },
  announce?: { delivery: NewDelivery; queueAttempt: SQL },
): Promise<GeneratorJob | null> {
  const { bumpAttempts, ...fields } = patch;
  const update = db
    .update(generatorJobs)
    .set({
      ...fields,
      updatedAt: new Date(),
      ...(bumpAttempts ? { attempts: sql`${generatorJobs.attempts} + 1` } : {}),
    })
    .where(and(eq(generatorJobs.id, id), notInArray(generatorJobs.status, [...TERMINAL_STATUSES])))
    .returning();
  if (!announce) {
    const [row] = await update;
    return row ?? null;
  }
  const { delivery, queueAttempt } = announce;
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    with updated as (${update.getSQL()}),
    inserted as (
      insert into ${webhookDeliveries} (id, job_id, event, url, body)
      select ${delivery.id}, ${id}, ${delivery.event}, ${delivery.url}, ${delivery.body} from updated
      on conflict do nothing
      returning id
    )
    select updated.*, (select ${queueAttempt} from inserted) is not null as "__queued"
    from updated`);
  const row = rows[0];
  return row ? rowOf(generatorJobs, row) : null;
}
