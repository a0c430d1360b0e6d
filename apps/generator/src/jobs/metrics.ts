import type { GeneratorJob } from "@sorami/db";
import { counter, histogram, type Labels } from "@sorami/metrics";
import { ProviderError } from "../providers/types";

/**
 * What the generator measures of a job's run: each stage's duration, each
 * provider call's latency and errors, and how runs end. Labels are catalog
 * ids (kind, the provider's name and model), never anything a user typed.
 */

type JobLabels = Labels<"kind" | "model" | "provider">;

/**
 * The labels of a job: its kind and the catalog model and provider serving
 * it (recorded on the job at submit, a fallback's once it moved; catalog
 * ids only, so the label sets are as many as the catalog's models).
 */
export function jobLabels(job: Pick<GeneratorJob, "kind" | "model" | "provider">): JobLabels {
  return { kind: job.kind, model: job.model ?? "unknown", provider: job.provider ?? "unknown" };
}

/**
 * Stages last from a few milliseconds (initializing) to minutes (a video's
 * generating); a provider call from a second (the local stand-in) to its
 * kind's time limit (10 min for images, 30 for videos).
 */
const STAGE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800] as const;

export const stageDuration = histogram({
  name: "sorami_job_stage_duration_seconds",
  help: "Time a job spent in each stage of a run (initializing, generating, saving), by kind, model and provider",
  labelNames: ["kind", "model", "provider", "stage"],
  buckets: STAGE_BUCKETS,
});

export const providerCallDuration = histogram({
  name: "sorami_provider_call_duration_seconds",
  help: "Latency of provider calls (a whole generation), by kind, model, provider and outcome (ok, error)",
  labelNames: ["kind", "model", "provider", "outcome"],
  buckets: STAGE_BUCKETS,
});

export const providerErrors = counter({
  name: "sorami_provider_errors_total",
  help: "Failed provider calls by kind, model, provider and error kind (rate_limit, timeout, transient, content_blocked, no_output, invalid_request, canceled, other)",
  labelNames: ["kind", "model", "provider", "error_kind"],
});

/** completed, failed (for good), retry (queued again), canceled. */
export type RunOutcome = "completed" | "failed" | "retry" | "canceled";

export const jobRuns = counter({
  name: "sorami_job_runs_total",
  help: "Runs of jobs by kind, model, provider and outcome (completed, failed, retry, canceled)",
  labelNames: ["kind", "model", "provider", "outcome"],
});

/** A provider error's kind as a label: one of the classified kinds, `canceled`, or `other`. */
export function errorKindOf(error: unknown, signal: AbortSignal): string {
  if (error instanceof ProviderError) {
    return error.kind;
  }
  if (signal.aborted) {
    return signal.reason instanceof DOMException && signal.reason.name === "TimeoutError" ? "timeout" : "canceled";
  }
  return "other";
}

/**
 * Times a run's stages: `enter(stage)` closes the stage before it (observed
 * in sorami_job_stage_duration_seconds), `end()` closes the last one. A stage
 * a run leaves by failing is not observed: its time is not a stage's
 * duration but a failure's.
 */
export function stageClock(labels: JobLabels) {
  let current: { stage: string; since: number } | null = null;
  const close = () => {
    if (current) {
      stageDuration.observe({ ...labels, stage: current.stage }, (Date.now() - current.since) / 1000);
    }
  };
  return {
    enter(stage: string) {
      close();
      current = { stage, since: Date.now() };
    },
    end() {
      close();
      current = null;
    },
    drop() {
      current = null;
    },
  };
}
