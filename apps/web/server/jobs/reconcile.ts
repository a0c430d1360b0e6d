import {
  describeZodError,
  type JobKind,
  jobStatusSchema,
  TERMINAL_STATUSES,
  type WebhookPayload,
  webhookDataSchema,
} from "@sorami/contracts";
import { type Database, describeDbError, schema } from "@sorami/db";
import { recordRepairFailure } from "@sorami/db/queries/generations";
import { and, eq, lt, notInArray, or, sql } from "drizzle-orm";
import { applyWebhookEvent } from "../webhooks/apply";
import { enqueueDispatch } from "./catalog";
import { endJobAsFailed } from "./fail";

/** Jobs looked at per run: a backlog is worked through over several runs. */
export const RECONCILE_BATCH = 100;

export type ReconcileOptions = {
  generatorUrl: string;
  serviceKey: string;
  /** A job with no update for this long is checked with the generator. */
  staleAfterSeconds: Record<JobKind, number>;
  /** A job older than this that is still not finished is failed, whatever the generator says. */
  maxAgeSeconds: Record<JobKind, number>;
};

export type ReconcileReport = {
  checked: number;
  repaired: number;
  failed: number;
  redispatched: number;
  unreachable: number;
  /** Jobs whose repair threw: recorded on the job, and the run went on. */
  errors: number;
};

type GeneratorView = {
  status: string;
  user_id: string;
  error: string | null;
  result: Record<string, unknown> | null;
};

async function askGenerator(jobId: string, opts: ReconcileOptions): Promise<GeneratorView | "missing" | "unreachable"> {
  try {
    const res = await fetch(`${opts.generatorUrl}/api/jobs/${jobId}`, {
      headers: { authorization: `Bearer ${opts.serviceKey}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 404) {
      return "missing";
    }
    if (!res.ok) {
      return "unreachable";
    }
    return (await res.json()) as GeneratorView;
  } catch {
    return "unreachable";
  }
}

/**
 * Runs of the reconciler that may fail on one job (an error while repairing
 * it: the generator's report refused, a row that cannot be written) before
 * the job is failed for good. Runs are RECONCILE_INTERVAL_SECONDS apart, so
 * a passing fault (a dropped connection) does not end a job.
 */
export const RECONCILE_MAX_FAILURES = 5;

/** What the owner of a job the reconciler gave up on reads. */
export const REPAIR_FAILED_MESSAGE =
  "Sorami could not bring this job up to date after several tries, so it was stopped";

/**
 * Repairs what lost webhooks left behind. Every job with no update past its
 * kind's SLA is checked with the generator: its result or failure is applied
 * as the missed webhook would have been (same function, its own event id), a
 * job the generator never received is dispatched again, and a job past its
 * maximum age is failed with a clear reason. No job stays unfinished forever.
 *
 * Jobs are handled one by one: one that cannot be repaired has its failure
 * recorded (`repair_failures`, and its clock restarted) and the run moves on,
 * so it never blocks the others nor the run's later work; the jobs with the
 * fewest failures come first, and after RECONCILE_MAX_FAILURES a job ends
 * FAILED with a reason its owner reads.
 */
export async function reconcileOnce(db: Database, opts: ReconcileOptions): Promise<ReconcileReport> {
  const g = schema.generations;
  const staleFor = (kind: JobKind) =>
    and(eq(g.kind, kind), lt(g.updatedAt, sql`now() - make_interval(secs => ${opts.staleAfterSeconds[kind]})`));
  const stale = await db
    .select()
    .from(g)
    .where(and(notInArray(g.status, [...TERMINAL_STATUSES]), or(staleFor("image"), staleFor("video"))))
    .orderBy(g.repairFailures, g.updatedAt)
    .limit(RECONCILE_BATCH);
  const report: ReconcileReport = {
    checked: stale.length,
    repaired: 0,
    failed: 0,
    redispatched: 0,
    unreachable: 0,
    errors: 0,
  };
  for (const job of stale) {
    try {
      const outcome = await reconcileJob(db, opts, job);
      if (outcome !== "in_progress") {
        report[outcome]++;
      }
    } catch (error) {
      report.errors++;
      await recordFailure(db, job.id, error);
    }
  }
  return report;
}

type Generation = typeof schema.generations.$inferSelect;

async function reconcileJob(
  db: Database,
  opts: ReconcileOptions,
  job: Generation,
): Promise<"repaired" | "failed" | "redispatched" | "unreachable" | "in_progress"> {
  const g = schema.generations;
  const ageSeconds = (Date.now() - job.createdAt.getTime()) / 1000;
  const view = await askGenerator(job.id, opts);
  const apply = (payload: Omit<WebhookPayload, "job_id" | "user_id">, tag: string) =>
    applyWebhookEvent(db, job.kind, `reconcile:${job.id}:${tag}`, {
      job_id: job.id,
      user_id: job.authorId,
      ...payload,
    });

  if (typeof view === "object" && view.status === "COMPLETED" && view.result) {
    const data = webhookDataSchema.safeParse(view.result);
    if (!data.success) {
      // Counted as a failed repair: a result that never parses must end the job, not wait out its maximum age.
      throw new Error(`the generator's result does not parse: ${describeZodError(data.error).message}`);
    }
    await apply({ status: "completed", data: data.data, message: "Recovered by the reconciler" }, "completed");
    return "repaired";
  }
  if (typeof view === "object" && (view.status === "FAILED" || view.status === "CANCELED")) {
    const status = view.status === "FAILED" ? "failed" : "canceled";
    await apply({ status, error_message: view.error ?? "The generator stopped this job" }, status);
    return "repaired";
  }
  if (ageSeconds > opts.maxAgeSeconds[job.kind]) {
    const reason =
      view === "unreachable"
        ? "The generator could not be reached for too long; the job was stopped"
        : "The job took longer than the longest a job may take, and was stopped";
    await endJobAsFailed(db, job.id, reason);
    return "failed";
  }
  if (view === "unreachable") {
    return "unreachable";
  }
  if (view === "missing") {
    // The generator never received it (dispatch lost): send it again; its id keeps it from running twice.
    await enqueueDispatch(db, job.id);
    await db.update(g).set({ updatedAt: new Date() }).where(eq(g.id, job.id));
    return "redispatched";
  }
  // Still running at the generator: bring our status up to its, and restart the SLA clock.
  const theirs = jobStatusSchema.safeParse(view.status);
  if (theirs.success && theirs.data !== job.status) {
    await apply({ status: theirs.data.toLowerCase() as WebhookPayload["status"] }, `${theirs.data}`);
  }
  await db.update(g).set({ updatedAt: new Date() }).where(eq(g.id, job.id));
  return "in_progress";
}

/** Counts a failed repair against the job, and fails the job once it has failed too often. Never throws. */
async function recordFailure(db: Database, jobId: string, error: unknown): Promise<void> {
  try {
    const failures = await recordRepairFailure(db, jobId);
    console.error(
      `[reconcile] job ${jobId}: repair failed (${failures}/${RECONCILE_MAX_FAILURES}): ${describeDbError(error)}`,
    );
    if (failures >= RECONCILE_MAX_FAILURES) {
      await endJobAsFailed(db, jobId, REPAIR_FAILED_MESSAGE);
    }
  } catch (recordError) {
    // The database itself is away: the next run finds the job again.
    console.error(
      `[reconcile] job ${jobId}: repair failed (${describeDbError(error)}), and so did recording it: ${describeDbError(recordError)}`,
    );
  }
}
