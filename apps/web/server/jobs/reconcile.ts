import {
  type GeneratorJobView,
  isTerminal,
  type JobKind,
  type Serving,
  toWireStatus,
  type WireStatus,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { listStaleGenerations, lockGeneration, touchGeneration } from "@sorami/db/queries/generations";
import type { GeneratorClient } from "../generator-client";
import { applyWebhookEvent } from "../webhooks/apply";
import { enqueueDispatch } from "./tasks";
import { transitionGeneration } from "./transition";

/** Jobs looked at per run: a backlog is worked through over several runs. */
export const RECONCILE_BATCH = 100;

export type ReconcileOptions = {
  generator: GeneratorClient;
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
};

/** The generator's view of a job; "missing" when it never received it, "unreachable" when it could not say. */
async function askGenerator(
  generator: GeneratorClient,
  jobId: string,
): Promise<GeneratorJobView | "missing" | "unreachable"> {
  try {
    return (await generator.getJob(jobId)) ?? "missing";
  } catch {
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
 * Repairs what lost webhooks left behind. Every job with no update past its
 * kind's SLA is checked with the generator: its result or failure is applied
 * as the missed webhook would have been (same function, its own event id), a
 * job the generator never received is dispatched again, and a job past its
 * maximum age is failed with a clear reason. No job stays unfinished forever.
 */
export async function reconcileOnce(db: Database, opts: ReconcileOptions): Promise<ReconcileReport> {
  const stale = await listStaleGenerations(db, opts.staleAfterSeconds, RECONCILE_BATCH);
  const report: ReconcileReport = { checked: stale.length, repaired: 0, failed: 0, redispatched: 0, unreachable: 0 };

  for (const job of stale) {
    const ageSeconds = (Date.now() - job.createdAt.getTime()) / 1000;
    const view = await askGenerator(opts.generator, job.id);
    // What the generator says, as the missed webhook would have said it; the apply checks it by the job's kind.
    const apply = (payload: { status: WireStatus; [field: string]: unknown }, tag: string) =>
      applyWebhookEvent(db, job.kind, `reconcile:${job.id}:${tag}`, {
        job_id: job.id,
        user_id: job.authorId,
        ...(typeof view === "object" ? servingOfView(view) : {}),
        ...payload,
      });

    if (typeof view === "object" && view.status === "COMPLETED" && view.result) {
      await apply({ status: "completed", data: view.result, message: "Recovered by the reconciler" }, "completed");
      report.repaired++;
      continue;
    }
    if (typeof view === "object" && (view.status === "FAILED" || view.status === "CANCELED")) {
      const status = view.status === "FAILED" ? "failed" : "canceled";
      await apply({ status, error_message: view.error ?? "The generator stopped this job" }, status);
      report.repaired++;
      continue;
    }
    if (ageSeconds > opts.maxAgeSeconds[job.kind]) {
      const reason =
        view === "unreachable"
          ? "The generator could not be reached for too long; the job was stopped"
          : "The job took longer than the longest a job may take, and was stopped";
      await failJob(db, job.id, reason);
      report.failed++;
      continue;
    }
    if (view === "unreachable") {
      report.unreachable++;
      continue;
    }
    if (view === "missing") {
      // The generator never received it (dispatch lost): send it again; its id keeps it from running twice.
      await enqueueDispatch(db, job.id);
      await touchGeneration(db, job.id);
      report.redispatched++;
      continue;
    }
    // Still running at the generator: bring our status up to its, and restart the SLA clock.
    if (view.status !== job.status && !isTerminal(view.status)) {
      await apply({ status: toWireStatus(view.status) }, view.status);
    }
    await touchGeneration(db, job.id);
  }
  return report;
}

async function failJob(db: Database, id: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    const locked = await lockGeneration(tx, id);
    if (locked) {
      await transitionGeneration(tx, locked, { status: "FAILED", error: reason, message: "Generation failed" });
    }
  });
}
