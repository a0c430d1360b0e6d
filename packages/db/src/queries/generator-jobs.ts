import {
  type FallbackStep,
  type JobStatus,
  type RemoteHandle,
  statusesMovingTo,
  TERMINAL_STATUSES,
  wantedProgress,
} from "@sorami/contracts";
import { and, eq, isNotNull, notInArray, type SQL, sql } from "drizzle-orm";
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

/** What a run records with a status change (an end's result or error and its kind, its time; the provider's status word). */
export type GeneratorJobPatch = Partial<
  Pick<GeneratorJob, "error" | "errorKind" | "result" | "completedAt" | "remoteStatus">
>;

/**
 * Moves a job that has not ended toward `next`, decided as `decideTransition`
 * decides (contracts) but inside the one statement that writes, and, when
 * `announce` is given, stores the webhook delivery of `next` and queues its
 * first attempt in that same statement: one round trip per stage.
 *
 * - A job that already ended (canceled meanwhile) is not touched: null, and
 *   nothing is written or announced.
 * - A move the machine refuses (backwards: a re-run reaching a stage its job
 *   already passed) leaves status and progress as they are; the row is still
 *   returned, with `attempts` bumped when asked (a run started) and
 *   `updated_at` refreshed.
 * - The delivery is stored only if the job is now in `next`, and once: (job,
 *   event) is unique, so a re-run announces each event once, and the attempt
 *   is queued only if the delivery was stored.
 */
export async function advanceGeneratorJob(
  db: Tx,
  id: string,
  next: { status: JobStatus; progress?: number | null },
  options: {
    patch?: GeneratorJobPatch;
    bumpAttempts?: boolean;
    announce?: { delivery: NewDelivery; queueAttempt: SQL };
  } = {},
): Promise<GeneratorJob | null> {
  const j = generatorJobs;
  const wanted = wantedProgress(next);
  const sources = sql`array[${sql.join(
    statusesMovingTo(next.status).map((s) => sql`${s}`),
    sql`, `,
  )}]::text[]`;
  const progress = next.status === "COMPLETED" ? sql`100` : sql`greatest(${j.progress}, ${wanted}::int)`;
  const moves = sql`(${j.status} = any(${sources}) and not (${j.status} = ${next.status} and ${progress} <= ${j.progress}))`;
  const update = db
    .update(j)
    .set({
      ...options.patch,
      status: sql`case when ${moves} then ${next.status} else ${j.status} end`,
      progress: sql`case when ${moves} then ${progress} else ${j.progress} end`,
      updatedAt: new Date(),
      ...(options.bumpAttempts ? { attempts: sql`${j.attempts} + 1` } : {}),
    })
    .where(and(eq(j.id, id), notInArray(j.status, [...TERMINAL_STATUSES])))
    .returning();
  if (!options.announce) {
    const [row] = await update;
    return row ?? null;
  }
  const { delivery, queueAttempt } = options.announce;
  const { rows } = await db.execute<Record<string, unknown>>(sql`
    with updated as (${update.getSQL()}),
    inserted as (
      insert into ${webhookDeliveries} (id, job_id, event, url, body)
      select ${delivery.id}, ${id}, ${delivery.event}, ${delivery.url}, ${delivery.body} from updated
      where updated.status = ${next.status}
      on conflict do nothing
      returning id
    )
    select updated.*, (select ${queueAttempt} from inserted) is not null as "__queued"
    from updated`);
  const row = rows[0];
  return row ? rowOf(generatorJobs, row) : null;
}

const notEnded = (id: string) =>
  and(eq(generatorJobs.id, id), notInArray(generatorJobs.status, [...TERMINAL_STATUSES]));

/**
 * Stores the handle of work just submitted to an asynchronous provider, in a
 * statement of its own (committed before the run waits on it: see
 * RemoteHandle), and counts the submission. Null when the job ended
 * meanwhile (canceled): then the caller cancels the work it just started.
 */
export async function recordRemoteSubmission(db: Tx, id: string, handle: RemoteHandle): Promise<GeneratorJob | null> {
  const [row] = await db
    .update(generatorJobs)
    .set({
      remoteHandle: handle,
      remoteStatus: "submitted",
      remoteSubmissions: sql`${generatorJobs.remoteSubmissions} + 1`,
      updatedAt: new Date(),
    })
    .where(notEnded(id))
    .returning();
  return row ?? null;
}

/**
 * The provider's own status word for the job's work, for the operator (no announcement: nothing
 * a user reads changed). Only while the job still waits on a handle: a provider's progress report
 * may land after its work was found failed or lost and the handle forgotten, and must not
 * overwrite that word.
 */
export async function setRemoteStatus(db: Tx, id: string, status: string): Promise<void> {
  await db
    .update(generatorJobs)
    .set({ remoteStatus: status })
    .where(and(notEnded(id), isNotNull(generatorJobs.remoteHandle)));
}

/** Forgets the job's handle: its work ended badly or the provider lost it, so the next run submits anew. */
export async function clearRemoteHandle(db: Tx, id: string, status: string): Promise<void> {
  await db
    .update(generatorJobs)
    .set({ remoteHandle: null, remoteStatus: status, updatedAt: new Date() })
    .where(eq(generatorJobs.id, id));
}

/**
 * Moves a job that has not ended to a fallback model: the new model and
 * provider, the move appended to its story, no handle (the new model
 * submits anew) and its runs counted afresh. Null when the job ended.
 */
export async function moveToFallback(
  db: Tx,
  id: string,
  to: { model: string; provider: string; step: FallbackStep },
): Promise<GeneratorJob | null> {
  const [row] = await db
    .update(generatorJobs)
    .set({
      model: to.model,
      provider: to.provider,
      remoteHandle: null,
      remoteStatus: null,
      attempts: 0,
      fallbacks: sql`${generatorJobs.fallbacks} || ${JSON.stringify([to.step])}::jsonb`,
      updatedAt: new Date(),
    })
    .where(notEnded(id))
    .returning();
  return row ?? null;
}
