"use client";

import { fallbackStepSchema, type JobKind, KIND_INFO } from "@sorami/contracts";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Alert, Spinner, secondaryButtonClass } from "./form-controls";
import { FALLBACK_REASON_LABEL, formatElapsed, modelLabel, STAGES, STATUS_LABEL } from "./labels";
import { useLiveEvents } from "./live-events";
import { MediaGrid } from "./media-grid";
import { MEDIA_KINDS } from "./media-kinds";
import { ProgressBar } from "./progress-bar";
import type { JobState } from "./use-job";
import { useModels } from "./use-models";

/**
 * "Served by FLUX.1 [schnell] (Replicate) (fallback from FLUX.1 [schnell]
 * (fal): rate limited)": the model that made the files, and when a fallback
 * did, which model the job left and why.
 */
function ServedBy({ result }: { result: { model: string | null; metadata: { provider: unknown } } }) {
  const { models } = useModels();
  if (!result.model) {
    return null;
  }
  const meta = (result.metadata.provider ?? {}) as { fallbacks?: unknown };
  const story = fallbackStepSchema.array().safeParse(meta.fallbacks ?? []);
  const first = story.success ? story.data[0] : undefined;
  return (
    <p data-testid="served-by" className="text-sm text-gray-600">
      Served by <span className="font-medium text-gray-900">{modelLabel(result.model, models)}</span>
      {first ? ` (fallback from ${modelLabel(first.from, models)}: ${FALLBACK_REASON_LABEL[first.reason]})` : null}
    </p>
  );
}

/** The current time, refreshed every second while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) {
      return;
    }
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

function StageSteps({ job }: { job: JobState<JobKind> }) {
  const ended = job.status === "FAILED" || job.status === "CANCELED";
  return (
    <ol className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs" aria-label="Stages">
      {(ended ? STAGES.filter((s) => s !== "COMPLETED") : STAGES).map((stage, i) => {
        const current = stage === job.status;
        const done = job.status === "COMPLETED" || i < job.reached;
        const tone = current
          ? "bg-indigo-600 text-white"
          : done
            ? "bg-indigo-50 text-indigo-800"
            : "bg-gray-100 text-gray-500";
        return (
          <li key={stage} className="flex items-center gap-2">
            {i > 0 ? (
              <span aria-hidden="true" className="text-gray-300">
                →
              </span>
            ) : null}
            <span
              aria-current={current ? "step" : undefined}
              className={`rounded-full px-2 py-0.5 font-medium ${tone}`}
            >
              {STATUS_LABEL[stage]}
              {done && !current ? <span className="sr-only"> (done)</span> : null}
            </span>
          </li>
        );
      })}
      {ended ? (
        <li className="flex items-center gap-2">
          <span aria-hidden="true" className="text-gray-300">
            →
          </span>
          <span aria-current="step" className="rounded-full bg-red-600 px-2 py-0.5 font-medium text-white">
            {STATUS_LABEL[job.status]}
          </span>
        </li>
      ) : null}
    </ol>
  );
}

/** A job of any kind, followed live: stage, progress, elapsed time, then its results or its error. */
export function JobPanel<K extends JobKind>(props: {
  job: JobState<K>;
  /** Reads the finished job's files again, after a read that failed. */
  onReloadResult: () => void;
  onRetry: () => void;
  retrying: boolean;
  retryError: string | null;
}) {
  const { job } = props;
  const { files: filesOf, expected } = MEDIA_KINDS[job.kind];
  const { plural } = KIND_INFO[job.kind];
  const finished = job.finishedAt !== null;
  const now = useNow(!finished);
  const elapsed = (job.finishedAt ?? now) - job.startedAt;
  const failed = job.status === "FAILED" || job.status === "CANCELED";
  const files = job.result ? filesOf(job.result) : null;
  const waitingForFiles = !failed && !job.fatal && !job.result && !job.resultError;
  const sectionRef = useRef<HTMLElement>(null);
  const liveStatus = useLiveEvents().status;

  // On narrow screens the panel sits below the form: bring a new job into view (the panel is keyed by job).
  useEffect(() => {
    const el = sectionRef.current;
    if (!el) {
      return;
    }
    const top = el.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.6) {
      const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      el.scrollIntoView({ block: "start", behavior: smooth ? "smooth" : "auto" });
    }
  }, []);

  return (
    <section
      ref={sectionRef}
      aria-labelledby="job-heading"
      className="scroll-mt-4 space-y-4 sm:scroll-mt-20 rounded-lg border border-gray-200 bg-white p-4 sm:p-6"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id="job-heading" className="text-base font-semibold">
            Your generation
          </h2>
          <p className="mt-0.5 line-clamp-2 min-h-5 text-sm break-words text-gray-600">{job.params?.prompt ?? ""}</p>
        </div>
        <p className="shrink-0 text-sm text-gray-600 tabular-nums">
          Elapsed <time dateTime={`PT${Math.floor(elapsed / 1000)}S`}>{formatElapsed(elapsed)}</time>
        </p>
      </div>

      <div role="status" className="flex items-center gap-2 text-sm">
        <span className="text-gray-600">Stage:</span>
        {/* The text stays the status word (tests and the API speak it); CSS shows it as a name. */}
        <span
          data-testid="job-status"
          className={`inline-block font-semibold lowercase first-letter:uppercase ${
            failed ? "text-red-700" : job.status === "COMPLETED" ? "text-green-700" : "text-indigo-700"
          }`}
        >
          {job.status}
        </span>
        {!finished ? <Spinner /> : null}
        {job.status === "PENDING" && job.queuePosition !== null ? (
          <span data-testid="queue-position" className="text-gray-600">
            · {job.queuePosition === 1 ? "next in line" : `${job.queuePosition - 1} ahead in line`}
          </span>
        ) : null}
        {!finished ? (
          <span className="ml-auto text-xs text-gray-500" data-testid="live-indicator">
            {liveStatus === "open" ? "Live" : "Checking every second"}
          </span>
        ) : null}
      </div>

      <StageSteps job={job} />
      <ProgressBar value={job.progress} failed={failed} label="Generation progress" />
      <p className="min-h-5 text-sm text-gray-600">{job.connectionProblem ?? (failed ? null : job.message)}</p>

      {job.fatal ? (
        <Alert>
          {job.fatal}{" "}
          {job.fatal.toLowerCase().includes("sign in") ? (
            <Link href="/sign-in" className="font-medium underline">
              Go to sign in
            </Link>
          ) : null}
        </Alert>
      ) : null}

      {failed ? (
        <div className="space-y-3">
          <Alert>
            {job.status === "CANCELED" ? "This generation was canceled." : "This generation failed."}{" "}
            {job.error ?? job.message ?? ""}
          </Alert>
          <button
            type="button"
            onClick={props.onRetry}
            disabled={props.retrying || job.params === null}
            className={secondaryButtonClass}
          >
            {props.retrying ? <Spinner /> : null}
            Try again
          </button>
          {props.retryError ? <Alert>{props.retryError}</Alert> : null}
        </div>
      ) : null}

      {job.result && !failed ? <ServedBy result={job.result} /> : null}
      {job.resultError ? (
        <div className="space-y-3" data-testid="result-error">
          <Alert>{job.resultError}</Alert>
          <button type="button" onClick={props.onReloadResult} className={secondaryButtonClass}>
            Try again
          </button>
        </div>
      ) : null}

      {files?.length === 0 ? <p className="text-sm text-gray-600">The job finished but returned no {plural}.</p> : null}

      {failed || job.fatal || job.resultError || files?.length === 0 || job.params === null ? null : (
        <MediaGrid
          kind={job.kind}
          jobId={job.jobId}
          prompt={job.params.prompt}
          files={files}
          {...expected(job.params)}
          loading={waitingForFiles}
        />
      )}
    </section>
  );
}
