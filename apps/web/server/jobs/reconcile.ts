import {
  type GeneratorJobView,
  isTerminal,
  type JobKind,
  type Serving,
  toWireStatus,
  type WireStatus,
} from "@sorami/contracts";
import { type Database, describeDbError, type Generation } from "@sorami/db";
import { listStaleGenerations, recordRepairFailure, touchGeneration } from "@sorami/db/queries/generations";
import { type GeneratorClient, GeneratorContractError } from "../generator-client";
import { log } from "../log";
import { applyWebhookEvent } from "../webhooks/apply";
import { endJobAsFailed } from "./fail";
import { enqueueDispatch } from "./tasks";

/** Jobs looked at per run: a backlog is worked through over several runs. */
export const RECONCILE_BATCH = 100;

export type ReconcileOptions = {
  generator: GeneratorClient;
  /** A job with no update for this long is checked with the generator. */
  staleAfterSeconds: Record<JobKind, number>;
  /** A job older than this that is still not finished is failed, whatever the generator says. */
  maxAgeSeconds: Record<JobKind, number>;
  /** Image screening is on: recovered files are stored pending and screened, as the receiver does. */
  screening: boolean;
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

/**
 * The generator's view of a job; "missing" when it never received it,
 * "unreachable" when it could not say, "unknown" when it has no way to say
 * (a documents backend: document 000 defines no job view). An answer
 * outside its contract is thrown: it is counted as a failed repair (it must
 * end the job, not wait out the job's maximum age).
 */
async function askGenerator(
  generator: GeneratorClient,
  jobId: string,
): Promise<GeneratorJobView | "missing" | "unreachable" | "unknown"> {
  if (!generator.capabilities.jobView) {
    return "unknown";
  }
  try {
    return (await generator.getJob(jobId)) ?? "missing";
  } catch (error) {
    if (error instanceof GeneratorContractError) {
      throw error;
    }
    return "unreachable";
  }
}

/** The model the generator says served the job, as a webhook would carry it. */
function servingOfView(view: GeneratorJobView): { serving?: Serving } {
  if (!view.model || !view.provider) {
    return {};
  }
  return {
    serving: {
      model: view.model,
      provider: view.provider,
      ...(view.remote?.request_id ? { request_id: view.remote.request_id } : {}),
      ...(view.fallbacks.length ? { fallbacks: view.fallbacks } : {}),
    },
  };
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
  const stale = await listStaleGenerations(db, opts.staleAfterSeconds, RECONCILE_BATCH);
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

async function reconcileJob(
  db: Database,
  opts: ReconcileOptions,
  job: Generation,
): Promise<"repaired" | "failed" | "redispatched" | "unreachable" | "in_progress"> {
  const ageSeconds = (Date.now() - job.createdAt.getTime()) / 1000;
  const view = await askGenerator(opts.generator, job.id);
  // What the generator says, as the missed webhook would have said it; the apply checks it by the job's kind.
  const apply = (payload: { status: WireStatus; [field: string]: unknown }, tag: string) =>
    applyWebhookEvent(
      db,
      job.kind,
      `reconcile:${job.id}:${tag}`,
      {
        job_id: job.id,
        user_id: job.authorId,
        ...(typeof view === "object" ? servingOfView(view) : {}),
        ...payload,
      },
      { screening: opts.screening },
    );

  if (typeof view === "object" && view.status === "COMPLETED" && view.result) {
    await apply({ status: "completed", data: view.result, message: "Recovered by the reconciler" }, "completed");
    return "repaired";
  }
  if (typeof view === "object" && (view.status === "FAILED" || view.status === "CANCELED")) {
    const status = view.status === "FAILED" ? "failed" : "canceled";
    await apply(
      { status, error_message: view.error ?? "The generator stopped this job", error_code: view.error_kind },
      status,
    );
    return "repaired";
  }
  if (ageSeconds > opts.maxAgeSeconds[job.kind]) {
    const reason =
      view === "unreachable"
        ? "The generator could not be reached for too long; the job was stopped"
        : view === "unknown"
          ? "The backend sent no result within the longest a job may take, so the job was stopped"
          : "The job took longer than the longest a job may take, and was stopped";
    await endJobAsFailed(db, job.id, reason, "expired");
    return "failed";
  }
  if (view === "unreachable") {
    return "unreachable";
  }
  if (view === "unknown") {
    // Nothing to ask and nothing safe to resend (a documents backend may not tell a repeat from a new job):
    // the job waits for its webhooks until its maximum age. The clock restarts so it is not looked at every run.
    await touchGeneration(db, job.id);
    return "in_progress";
  }
  if (view === "missing") {
    // The generator never received it (dispatch lost): send it again; its id keeps it from running twice.
    await enqueueDispatch(db, job.id);
    await touchGeneration(db, job.id);
    return "redispatched";
  }
  // Still running at the generator: bring our status up to its, and restart the SLA clock.
  if (view.status !== job.status && !isTerminal(view.status)) {
    await apply({ status: toWireStatus(view.status) }, view.status);
  }
  await touchGeneration(db, job.id);
  return "in_progress";
}

/** Counts a failed repair against the job, and fails the job once it has failed too often. Never throws. */
async function recordFailure(db: Database, jobId: string, error: unknown): Promise<void> {
  try {
    const failures = await recordRepairFailure(db, jobId);
    log().error(
      { job_id: jobId, failures, max_failures: RECONCILE_MAX_FAILURES, error: describeDbError(error) },
      "reconcile: repair failed",
    );
    if (failures >= RECONCILE_MAX_FAILURES) {
      await endJobAsFailed(db, jobId, REPAIR_FAILED_MESSAGE, "unrecoverable");
    }
  } catch (recordError) {
    // The database itself is away: the next run finds the job again.
    log().error(
      { job_id: jobId, error: describeDbError(error), record_error: describeDbError(recordError) },
      "reconcile: repair failed, and so did recording it",
    );
  }
}
