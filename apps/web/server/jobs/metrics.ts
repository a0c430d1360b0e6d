import type { JobKind, JobStatus } from "@sorami/contracts";
import { counter, histogram, type Labels, metricsEnabled } from "@sorami/metrics";

/**
 * Jobs as users see them, counted where the web app records them: submitted
 * (a new job accepted), finished (the terminal status the job's row got,
 * whoever reported it: a webhook, a cancel, a refused dispatch, the
 * reconciler) and how long that took from submit. Labels are catalog ids
 * only: kind, model, provider.
 */
type JobLabels = Labels<"kind" | "model" | "provider">;

/** A job's model and provider as its row names them (catalog ids, set at submit; the serving one once reported). */
type LabeledJob = { kind: JobKind; model?: string | null; provider?: string | null };

/** A job's labels: its kind, and the catalog model and provider its row names ("unknown" for none). */
function jobLabels(job: LabeledJob): JobLabels {
  return { kind: job.kind, model: job.model ?? "unknown", provider: job.provider ?? "unknown" };
}

const jobsSubmitted = counter({
  name: "sorami_jobs_submitted_total",
  help: "Jobs submitted and accepted, by kind, model and provider",
  labelNames: ["kind", "model", "provider"],
});

const jobsFinished = counter({
  name: "sorami_jobs_finished_total",
  help: "Jobs that reached a final status (completed, failed, canceled), by kind, model, provider and status",
  labelNames: ["kind", "model", "provider", "status"],
});

/** Submit to final status: seconds for a local image, up to the 24 h a video may stay unfinished before it fails. */
const JOB_DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400] as const;

const jobDuration = histogram({
  name: "sorami_job_duration_seconds",
  help: "Time from submit to final status, by kind, model, provider and status",
  labelNames: ["kind", "model", "provider", "status"],
  buckets: JOB_DURATION_BUCKETS,
});

/** A new job accepted (not a retried submit returning the first one). Labels are read only when metrics are on. */
export function recordJobSubmitted(job: LabeledJob): void {
  if (metricsEnabled()) {
    jobsSubmitted.inc(jobLabels(job));
  }
}

/**
 * Counted when the terminal status is written, inside its transaction: a
 * transaction that then fails to commit (rare: the statement already ran)
 * is counted anyway, and the job's retried end is counted once more.
 */
export function recordJobFinished(job: LabeledJob, status: JobStatus, ms: number): void {
  if (!metricsEnabled()) {
    return;
  }
  const labels = { ...jobLabels(job), status: status.toLowerCase() };
  jobsFinished.inc(labels);
  jobDuration.observe(labels, ms / 1000);
}
