"use client";

import {
  decideTransition,
  isTerminal,
  type JobKind,
  type JobStatus,
  type ParamsOf,
  type ResultOf,
} from "@sorami/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, getJobResult, getJobStatus, newIdempotencyKey, submitJob } from "@/lib/api-client";
import { STAGES } from "./labels";
import { useLiveEvents } from "./live-events";

/** Status polling interval, used only while the live stream is down. */
const POLL_MS = 1000;
/** How often a queued job's place in line is refreshed (the stream does not carry it). */
const QUEUE_POSITION_REFRESH_MS = 3000;
/** How often the files are read again while some are still being fetched from a backend (no event says when). */
const PENDING_FILES_REFRESH_MS = 2000;
/**
 * Reads of a finished job's files before the panel says it could not load
 * them (with a button to try again): a network blip must not leave a
 * completed job with nothing shown. Waits 1 s, then 2 s between reads.
 */
const RESULT_READ_ATTEMPTS = 3;
const RESULT_RETRY_BASE_MS = 1000;

export type JobState<K extends JobKind> = {
  kind: K;
  jobId: string;
  /** The parameters to re-submit with "Try again"; null until known for a job opened by its id. */
  params: ParamsOf<K> | null;
  status: JobStatus;
  progress: number;
  /** Index in STAGES of the furthest forward stage seen, so a failure can show how far it got. */
  reached: number;
  message: string | null;
  /** The server's time of the last change shown: a message-only change older than it is not applied. */
  updatedAt: Date | null;
  error: string | null;
  /** While PENDING: the job's place in line, when known. */
  queuePosition: number | null;
  startedAt: number;
  finishedAt: number | null;
  result: ResultOf<K> | null;
  /** The finished job's files could not be read (after RESULT_READ_ATTEMPTS); `reloadResult` tries again. */
  resultError: string | null;
  /** The server can't be reached right now; still trying. */
  connectionProblem: string | null;
  /** Following stopped for good (signed out, job gone). */
  fatal: string | null;
};

type StatusView = {
  status: JobStatus;
  progress: number;
  message: string | null;
  error: string | null;
  updated_at?: string;
};

function fresh<K extends JobKind>(kind: K, jobId: string, params: ParamsOf<K> | null, startedAt: number): JobState<K> {
  return {
    kind,
    jobId,
    params,
    status: "PENDING",
    progress: 0,
    reached: 0,
    message: null,
    updatedAt: null,
    error: null,
    queuePosition: null,
    startedAt,
    finishedAt: null,
    result: null,
    resultError: null,
    connectionProblem: null,
    fatal: null,
  };
}

/** Moves the shown job forward the way the server does: never backwards, progress never down. */
function advance<K extends JobKind>(j: JobState<K>, view: StatusView): JobState<K> {
  // The web app applies a job's changes one at a time in its database, so its updated_at orders them.
  const reportedAt = view.updated_at ? new Date(view.updated_at) : null;
  const decision = decideTransition({ ...j, reportedAt: j.updatedAt }, { ...view, reportedAt });
  if (!decision.apply) {
    return j;
  }
  const done = isTerminal(decision.status);
  return {
    ...j,
    status: decision.status,
    progress: decision.progress,
    reached: Math.max(j.reached, STAGES.indexOf(decision.status)),
    message: view.message ?? j.message,
    updatedAt: reportedAt ?? j.updatedAt,
    error: view.error ?? j.error,
    queuePosition: decision.status === "PENDING" ? j.queuePosition : null,
    finishedAt: done ? (j.finishedAt ?? Date.now()) : null,
  };
}

/**
 * Submits jobs of one kind and follows the newest one (or the one the page
 * was opened with) until it ends. Changes arrive by the live stream; status
 * polling takes over only while the stream is down. There is no give-up
 * time: videos may take many minutes.
 */
export function useJob<K extends JobKind>(kind: K, followJobId?: string | null) {
  const [job, setJob] = useState<JobState<K> | null>(() =>
    followJobId ? fresh(kind, followJobId, null, Date.now()) : null,
  );
  const [submitting, setSubmitting] = useState(false);
  const inFlight = useRef(false);
  // Kept only while a request's outcome is unknown, so resending the same parameters cannot make a second job.
  const pendingKey = useRef<{ key: string; body: string } | null>(null);
  const live = useLiveEvents();
  // Bumped to read a finished job's files again (a failed read's button, a moderation event).
  const [resultReads, setResultReads] = useState(0);

  const submit = useCallback(
    async (params: ParamsOf<K>): Promise<ApiError | null> => {
      if (inFlight.current) {
        return null;
      }
      inFlight.current = true;
      setSubmitting(true);
      const body = JSON.stringify(params);
      const key = pendingKey.current?.body === body ? pendingKey.current.key : newIdempotencyKey();
      pendingKey.current = { key, body };
      try {
        const accepted = await submitJob(kind, params, key);
        pendingKey.current = null;
        setJob(
          advance(fresh(kind, accepted.job_id, params, Date.now()), {
            status: accepted.status,
            progress: 0,
            message: accepted.message,
            error: null,
          }),
        );
        // A reload (or a shared link) follows the same job.
        const url = new URL(window.location.href);
        url.searchParams.set("job", accepted.job_id);
        window.history.replaceState(window.history.state, "", url);
        return null;
      } catch (e) {
        const error =
          e instanceof ApiError ? e : new ApiError(0, "unknown", "Could not start the generation. Try again.");
        // A definite refusal created nothing, and a reused key would be refused next time.
        if (error.status >= 400 && error.status < 500) {
          pendingKey.current = null;
        }
        return error;
      } finally {
        inFlight.current = false;
        setSubmitting(false);
      }
    },
    [kind],
  );

  const jobId = job?.jobId;
  const terminal = job ? isTerminal(job.status) : false;
  const needsParams = job !== null && job.params === null;

  // Live: apply each event about this job.
  useEffect(() => {
    if (!jobId) {
      return;
    }
    return live.subscribe((event) => {
      const view =
        event.type === "job"
          ? event.data.job_id === jobId
            ? event.data
            : null
          : event.type === "snapshot"
            ? (event.data.jobs.find((j) => j.job_id === jobId) ?? null)
            : null;
      if (view) {
        setJob((j) => (j && j.jobId === jobId ? { ...advance(j, view), connectionProblem: null } : j));
      }
    });
  }, [jobId, live.subscribe]);

  // A file of this job was screened or decided on: read its files again (a held one shows blurred, a released one whole).
  useEffect(() => {
    if (!jobId) {
      return;
    }
    return live.subscribe((event) => {
      if (event.type === "moderation" && event.data.job_id === jobId) {
        setResultReads((n) => n + 1);
      }
    });
  }, [jobId, live.subscribe]);

  // Fallback and catch-up: one status read now (and whenever the stream comes back), then polling while it is down.
  const streamOpen = live.status === "open";
  useEffect(() => {
    if (!jobId || terminal) {
      return;
    }
    const controller = new AbortController();
    let timer: number | undefined;
    const tick = async () => {
      try {
        const s = await getJobStatus(kind, jobId, controller.signal);
        setJob((j) =>
          j && j.jobId === jobId ? { ...advance(j, s), queuePosition: s.queue_position, connectionProblem: null } : j,
        );
        if (isTerminal(s.status)) {
          return;
        }
      } catch (e) {
        if (controller.signal.aborted) {
          return;
        }
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          setJob((j) =>
            j && j.jobId === jobId ? { ...j, fatal: e.message, finishedAt: j.finishedAt ?? Date.now() } : j,
          );
          return;
        }
        setJob((j) =>
          j && j.jobId === jobId ? { ...j, connectionProblem: "Lost contact with the server. Still trying…" } : j,
        );
      }
      if (!streamOpen) {
        timer = window.setTimeout(() => void tick(), POLL_MS);
      }
    };
    void tick();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [kind, jobId, terminal, streamOpen]);

  // While queued, refresh the place in line now and then.
  const queued = job?.status === "PENDING";
  useEffect(() => {
    if (!jobId || !queued || !streamOpen) {
      return;
    }
    const timer = window.setInterval(() => {
      getJobStatus(kind, jobId)
        .then((s) =>
          setJob((j) => (j && j.jobId === jobId ? { ...advance(j, s), queuePosition: s.queue_position } : j)),
        )
        .catch(() => {});
    }, QUEUE_POSITION_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [kind, jobId, queued, streamOpen]);

  // At the end (or for a job opened by id): the files and the parameters, read again after a failure.
  const status = job?.status;
  useEffect(() => {
    // resultReads: a new read when the panel's button asks for one.
    if (!jobId || (status !== "COMPLETED" && !needsParams) || resultReads < 0) {
      return;
    }
    const controller = new AbortController();
    let timer: number | undefined;
    const read = async (attempt: number): Promise<void> => {
      try {
        const result = await getJobResult(kind, jobId, controller.signal);
        setJob((j) => {
          if (!j || j.jobId !== jobId) {
            return j;
          }
          const params = j.params ?? (result.params as ParamsOf<K>);
          return j.status === "COMPLETED"
            ? { ...j, params, result, resultError: null, error: j.error ?? result.error ?? null }
            : { ...j, params, resultError: null };
        });
      } catch (e) {
        if (controller.signal.aborted) {
          return;
        }
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          // Not this user's job (or gone): the same one message as the status read gives, not a second one.
          setJob((j) =>
            j && j.jobId === jobId ? { ...j, fatal: j.fatal ?? e.message, finishedAt: j.finishedAt ?? Date.now() } : j,
          );
          return;
        }
        const refused = e instanceof ApiError && e.status >= 400 && e.status < 500;
        if (!refused && attempt < RESULT_READ_ATTEMPTS) {
          await new Promise<void>((resolve) => {
            timer = window.setTimeout(resolve, RESULT_RETRY_BASE_MS * 2 ** (attempt - 1));
          });
          return controller.signal.aborted ? undefined : read(attempt + 1);
        }
        const why = e instanceof ApiError ? e.message : "The server could not be reached.";
        setJob((j) =>
          j && j.jobId === jobId ? { ...j, resultError: `Could not load the results of this job. ${why}` } : j,
        );
      }
    };
    void read(1);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [kind, jobId, status, needsParams, resultReads]);

  // Files a backend reported from elsewhere arrive after the job completed: read them again until they are here.
  const filesPending = Boolean(
    job?.result &&
      (("images" in job.result ? job.result.images : job.result.videos) as readonly { state: string }[]).some(
        (f) => f.state === "pending",
      ),
  );
  useEffect(() => {
    if (!jobId || !filesPending) {
      return;
    }
    const controller = new AbortController();
    const timer = window.setInterval(() => {
      getJobResult(kind, jobId, controller.signal)
        .then((result) => setJob((j) => (j && j.jobId === jobId ? { ...j, result } : j)))
        .catch(() => {});
    }, PENDING_FILES_REFRESH_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [kind, jobId, filesPending]);

  /** Reads the finished job's files again (the panel's button after a failed read). */
  const reloadResult = useCallback(() => {
    setJob((j) => (j ? { ...j, resultError: null } : j));
    setResultReads((n) => n + 1);
  }, []);

  return { job, submitting, submit, reloadResult };
}
