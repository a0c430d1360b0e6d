import {
  type CatalogEntry,
  describeZodError,
  isTerminal,
  JOB_ERROR_MAX_LENGTH,
  KIND_INFO,
  outputPrefix,
  PROVIDER_REQUEST_ID_MAX_LENGTH,
  type Serving,
  storableText,
  truncateText,
  type WebhookEvent,
} from "@sorami/contracts";
import { type GeneratorJob, isDeterministicDbError } from "@sorami/db";
import { type GeneratorJobPatch, getGeneratorJob, setRemoteStatus } from "@sorami/db/queries/generator-jobs";
import { recordProviderCall } from "@sorami/db/queries/provider-calls";
import { jsonLog, type TaskContext } from "@sorami/db/tasks";
import { logger } from "@sorami/log";
import { ZodError } from "zod";
import { ProviderError, type ProviderProgress } from "../providers/types";
import { advanceJob, progressEventKey } from "../webhooks/emit";
import { moveToNextFallback } from "./fallback";
import { completedData, type GenerateDeps, readInputImage, storeOutputs } from "./generate-steps";
import { errorKindOf, jobLabels, jobRuns, providerCallDuration, providerErrors, stageClock } from "./metrics";
import { callModel, JobCanceled, progressWithin } from "./model-call";
import { providerUpdates } from "./provider-updates";
import { enqueueGenerate, GENERATOR_TASKS, JOB_TIME_LIMIT_MS } from "./tasks";

export type { GenerateDeps } from "./generate-steps";

/** Runs of one job before a retryable failure becomes final. */
export const MAX_GENERATE_ATTEMPTS = 4;
/** Backoff between runs when the provider gives no Retry-After: 2 s, 4 s, 8 s… */
export const GENERATE_RETRY_BASE_MS = 2000;

/** What the user reads when a job failed for a reason that is ours, not theirs (the real one is logged). */
export const INTERNAL_FAILURE_MESSAGE = "The generation failed because of an internal error";

/**
 * Turns any error into the pipeline's classification. What is decided by the
 * request fails at once: parameters the contract no longer accepts, a row
 * PostgreSQL refuses for its content. Unknown errors are retried, and their
 * own text (a library's, a driver's) is never the user's message: it stays
 * in `cause`, for the log.
 */
export function classifyError(error: unknown): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new ProviderError("timeout", "The generation took too long and was stopped", undefined, { cause: error });
  }
  if (error instanceof ZodError) {
    const { message } = describeZodError(error);
    return new ProviderError("invalid_request", `The job's parameters are not valid: ${message}`, undefined, {
      cause: error,
    });
  }
  if (isDeterministicDbError(error)) {
    return new ProviderError("invalid_request", "The job's result could not be recorded", undefined, { cause: error });
  }
  return new ProviderError("transient", INTERNAL_FAILURE_MESSAGE, undefined, { cause: error });
}

/** Of an internal reason, this much goes into the log line (UTF-16 units). */
const LOGGED_CAUSE_MAX_LENGTH = 1000;

/** The internal reason behind a classified error, for the log line (never for the user). */
function causeOf(error: ProviderError): string | undefined {
  const cause = error.cause;
  if (cause === undefined) {
    return undefined;
  }
  // One log line: a ZodError's message is pretty-printed JSON.
  const text = (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)).replace(/\s+/g, " ");
  return truncateText(text, LOGGED_CAUSE_MAX_LENGTH, { ellipsis: "…" });
}

/** Jobs running in this process, so a cancellation can stop their provider call. */
const running = new Map<string, AbortController>();

/** Stops the provider call of a job if this process runs it (cancellation fans out by NOTIFY). */
export function abortLocalJob(jobId: string): boolean {
  const controller = running.get(jobId);
  controller?.abort(new JobCanceled());
  return Boolean(controller);
}

/**
 * One run of one job: its signal, its attempt, the model serving it (every
 * announcement from the provider call on says which), and how it moves the
 * job (a move refused for an ended job cancels the run).
 */
type Run = {
  job: GeneratorJob;
  signal: AbortSignal;
  attempt: number;
  /** The job's metric labels (kind, model, provider). */
  labels: ReturnType<typeof jobLabels>;
  serving?: Serving;
  log: TaskContext["log"];
  advance: (
    event: WebhookEvent,
    options?: { patch?: GeneratorJobPatch; bumpAttempts?: boolean; eventKey?: string },
  ) => Promise<GeneratorJob>;
};

/**
 * Runs one job through its stages — initializing, generating (input image,
 * provider), saving (files), completed — announcing each by webhook in the
 * statement that records it. A canceled job stops where it is, keeps no
 * files and announces nothing more. Retryable failures run again later
 * (honouring the provider's Retry-After) up to MAX_GENERATE_ATTEMPTS runs;
 * others fail the job with their message.
 */
export async function runGenerateJob(
  deps: GenerateDeps,
  jobId: string,
  task: Partial<Pick<TaskContext, "signal" | "log">> = {},
): Promise<void> {
  const log = task.log ?? jsonLog({ task: GENERATOR_TASKS.generate.name, jobId });
  const job = await getGeneratorJob(deps.db, jobId);
  if (!job || isTerminal(job.status)) {
    if (!job) {
      log("warn", "job_not_found");
    }
    return;
  }
  const cancel = new AbortController();
  running.set(jobId, cancel);
  const labels = jobLabels(job);
  const clock = stageClock(labels);
  const run: Run = {
    job,
    labels,
    log,
    attempt: job.attempts + 1,
    signal: AbortSignal.any([
      cancel.signal,
      AbortSignal.timeout(JOB_TIME_LIMIT_MS[job.kind]),
      ...(task.signal ? [task.signal] : []),
    ]),
    advance: async (event, options = {}) => {
      const envelope = {
        job_id: jobId,
        user_id: job.userId,
        timestamp: new Date().toISOString(),
        environment: deps.environment,
      };
      const row = await advanceJob(
        deps.db,
        { ...envelope, ...(run.serving ? { serving: run.serving } : {}), ...event },
        { webUrl: deps.webUrl, kind: job.kind, ...options },
      );
      if (!row) {
        throw new JobCanceled();
      }
      // A failed run's last stage is not a stage's duration: it is dropped, not observed.
      if (event.status === "failed") {
        clock.drop();
      } else if (event.status === "completed") {
        clock.end();
      } else {
        clock.enter(event.status);
      }
      log("info", "stage", { status: event.status });
      return row;
    },
  };
  try {
    await generate(deps, run);
  } catch (error) {
    await settleFailure(deps, run, error, task.signal, log);
  } finally {
    running.delete(jobId);
  }
}

/** The stages of a run that goes well. */
async function generate(deps: GenerateDeps, run: Run): Promise<void> {
  const { job, signal } = run;
  const { noun } = KIND_INFO[job.kind];
  const startedAt = Date.now();
  const entry = deps.models.entryFor(job.kind, job.model);
  run.serving = {
    model: entry.id,
    provider: entry.provider,
    ...(job.fallbacks.length > 0 ? { fallbacks: job.fallbacks } : {}),
  };
  run.attempt = (
    await run.advance({ status: "initializing", message: "Initializing the model…" }, { bumpAttempts: true })
  ).attempts;
  await run.advance({ status: "generating", message: "Generating…" });
  const inputImage = await readInputImage(deps, job, signal);
  const built = await deps.models.provider(entry);
  const updates = providerUpdates(
    (progress) => announceProgress(deps, run, entry, progress),
    (error) => run.log("warn", "progress_not_recorded", { error: String(error) }),
    deps.providerUpdateIntervalMs,
  );
  let output: Awaited<ReturnType<typeof callModel>>;
  try {
    output = await recordedCall(deps, run, entry, () =>
      callModel(
        deps.db,
        job,
        built,
        { jobId: job.id, attempt: run.attempt, signal, inputImage },
        {
          submitted: async (handle, resumed) => {
            run.serving = { ...(run.serving as Serving), request_id: handle.id };
            run.log("info", resumed ? "remote_resumed" : "remote_submitted", {
              request_id: handle.id,
              model: entry.id,
            });
            const message = resumed ? `Waiting for ${entry.label}…` : `Submitted to ${entry.label}`;
            await run.advance({ status: "generating", message }, { eventKey: progressEventKey("generating") });
          },
          progress: (p) => updates.report(p),
          log: run.log,
        },
      ),
    );
  } finally {
    await updates.stop();
  }
  await run.advance({ status: "saving", message: `Saving the ${noun}s…` });
  const items = await storeOutputs(deps.storage, deps.webUrl, job, output.files);
  const serving = run.serving as Serving;
  const metadata = {
    ...output.metadata,
    provider: entry.provider,
    requested_model: typeof job.request.model === "string" ? job.request.model : entry.id,
    ...(serving.request_id ? { request_id: serving.request_id } : {}),
    ...(serving.fallbacks ? { fallbacks: serving.fallbacks } : {}),
  };
  const data = completedData(job, entry.id, items, metadata, startedAt);
  await run.advance(
    { status: "completed", message: `${items.length} ${noun}(s) generated`, data },
    { patch: { result: data, completedAt: new Date() } },
  );
  jobRuns.inc({ ...run.labels, outcome: "completed" });
}

/** Of a provider's metadata, the id it gave the request, where it gives one. */
function requestIdOf(metadata: Record<string, unknown>): string | null {
  for (const key of ["request_id", "response_id", "prediction_id", "id"]) {
    const value = metadata[key];
    if (typeof value === "string" && value.length > 0) {
      return truncateText(value, PROVIDER_REQUEST_ID_MAX_LENGTH);
    }
  }
  return null;
}

/**
 * One provider call (a submit and its wait, for an asynchronous provider),
 * recorded for the admin console's job story once it ends (one statement a
 * call: a running call shows as the job's GENERATING status meanwhile), its
 * latency and, when it fails, its error kind counted. A record that cannot
 * be written never fails the job.
 */
async function recordedCall<T extends { metadata: Record<string, unknown> }>(
  deps: GenerateDeps,
  run: Run,
  entry: CatalogEntry,
  call: () => Promise<T>,
): Promise<T> {
  const { job, attempt } = run;
  const labels = { kind: job.kind, model: entry.id, provider: entry.provider };
  const started = new Date();
  const record = (end: Parameters<typeof recordProviderCall>[1]) =>
    recordProviderCall(deps.db, end).catch((error: unknown) =>
      logger().warn({ job_id: job.id, err: error }, "the provider call could not be recorded"),
    );
  const base = { jobId: job.id, attempt, provider: entry.provider, model: entry.id, startedAt: started };
  try {
    const output = await call();
    const seconds = (Date.now() - started.getTime()) / 1000;
    providerCallDuration.observe({ ...labels, outcome: "ok" }, seconds);
    await record({
      ...base,
      durationMs: Date.now() - started.getTime(),
      outcome: "ok",
      requestId: run.serving?.request_id
        ? truncateText(run.serving.request_id, PROVIDER_REQUEST_ID_MAX_LENGTH)
        : requestIdOf(output.metadata),
    });
    return output;
  } catch (error) {
    providerCallDuration.observe({ ...labels, outcome: "error" }, (Date.now() - started.getTime()) / 1000);
    providerErrors.inc({ ...labels, error_kind: errorKindOf(error, run.signal) });
    const classified = classifyError(error);
    await record({
      ...base,
      durationMs: Date.now() - started.getTime(),
      outcome: "error",
      errorKind: classified.kind,
      requestId: run.serving?.request_id ? truncateText(run.serving.request_id, PROVIDER_REQUEST_ID_MAX_LENGTH) : null,
      error: storableText(truncateText(classified.message, JOB_ERROR_MAX_LENGTH, { ellipsis: "…" })),
    });
    throw error;
  }
}

/**
 * What the provider says, as the job's progress: its words as the message,
 * its percentage (only when it gives one) within the GENERATING stage, its
 * own status word for the operator. A report with neither words nor a
 * percentage changes only that status word, and announces nothing.
 */
/** The provider's status word kept for the operator (`generator.jobs.remote_status`): a word, not a story. */
const REMOTE_STATUS_MAX_LENGTH = 100;

async function announceProgress(deps: GenerateDeps, run: Run, entry: CatalogEntry, p: ProviderProgress) {
  if (p.providerStatus) {
    await setRemoteStatus(deps.db, run.job.id, truncateText(p.providerStatus, REMOTE_STATUS_MAX_LENGTH));
  }
  if (p.message === undefined && p.percent === undefined) {
    return;
  }
  await run.advance(
    {
      status: "generating",
      message: p.message ?? `${entry.label} is working…`,
      ...(p.percent === undefined ? {} : { progress: progressWithin(p.percent) }),
    },
    { eventKey: progressEventKey("generating") },
  );
}

/**
 * A run that stopped early: canceled (its files removed), interrupted by
 * shutdown (handed back to the queue), retryable (queued again after the
 * provider's Retry-After or a backoff) or failed for good (files removed,
 * FAILED announced with the reason).
 */
async function settleFailure(
  deps: GenerateDeps,
  run: Run,
  error: unknown,
  outer: AbortSignal | undefined,
  log: TaskContext["log"],
): Promise<void> {
  const { job, signal, attempt } = run;
  if (error instanceof JobCanceled || signal.reason instanceof JobCanceled) {
    // Whatever was written is discarded: a canceled job keeps no files.
    await deps.storage.deletePrefix(outputPrefix(job.kind, job.id));
    jobRuns.inc({ ...run.labels, outcome: "canceled" });
    log("info", "canceled");
    return;
  }
  if (outer?.aborted && !(signal.reason instanceof DOMException && signal.reason.name === "TimeoutError")) {
    throw error; // this process is shutting down: the queue hands the job back
  }
  const classified = classifyError(error);
  const fields = {
    run: attempt,
    of: MAX_GENERATE_ATTEMPTS,
    kind: classified.kind,
    error: classified.message,
    cause: causeOf(classified),
  };
  if (classified.retryable && attempt < MAX_GENERATE_ATTEMPTS) {
    const delayMs = classified.retryAfterMs ?? GENERATE_RETRY_BASE_MS * 2 ** (attempt - 1);
    log("warn", "run_failed", { ...fields, again_in_ms: delayMs });
    await enqueueGenerate(deps.db, job.id, new Date(Date.now() + delayMs));
    jobRuns.inc({ ...run.labels, outcome: "retry" });
    return;
  }
  // The model's retries are spent: a fallback of the same kind that can serve the request gets the job.
  const moved = classified.retryable ? await moveToNextFallback(deps, job.id, classified, log) : null;
  if (moved) {
    run.serving = moved.serving;
    await run
      .advance(
        {
          status: "generating",
          message: `${moved.fromLabel} failed (${moved.step.message}); moving to ${moved.toLabel}`,
        },
        { eventKey: progressEventKey("generating") },
      )
      .catch((e: unknown) => log("warn", "fallback_not_announced", { error: String(e) }));
    return;
  }
  log("warn", "job_failed", fields);
  jobRuns.inc({ ...run.labels, outcome: "failed" });
  // Whatever wrote it, the reason must fit the webhook and the rows it goes to.
  const reason = storableText(truncateText(classified.message, JOB_ERROR_MAX_LENGTH, { ellipsis: "…" }));
  // Files a failed job wrote before its error (one of several uploads) are never shown: remove them.
  await deps.storage.deletePrefix(outputPrefix(job.kind, job.id)).catch((e: unknown) => {
    log("warn", "partial_files_kept", { error: String(e) });
  });
  await run
    .advance(
      { status: "failed", error_message: reason, error_code: classified.kind, message: "Generation failed" },
      { patch: { error: reason, errorKind: classified.kind, completedAt: new Date() } },
    )
    .catch((e) => {
      if (!(e instanceof JobCanceled)) {
        throw e;
      }
    });
}
