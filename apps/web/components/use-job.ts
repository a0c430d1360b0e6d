"use client";

import { isTerminal, type JobKind, type JobStatus } from "@sorami/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import {
  ApiError,
  getJobResult,
  getJobStatus,
  newIdempotencyKey,
  type ParamsOf,
  type ResultOf,
  submitJob,
} from "@/lib/api-client";
import { STAGES } from "./labels";
import { announceNotificationsChanged } from "./use-notifications";

const POLL_MS = 1000;

export type JobState<K extends JobKind> = {
  kind: K;
  jobId: string;
  params: ParamsOf<K>;
  status: JobStatus;
  progress: number;
  /** Index in STAGES of the furthest forward stage seen, so a failure can show how far it got. */
  reached: number;
  message: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  result: ResultOf<K> | null;
  /** Polling is failing but still going. */
  connectionProblem: string | null;
  /** Polling stopped for good (signed out, job gone). */
  fatal: string | null;
};

/**
 * Submits jobs of one kind and follows the newest one until it ends. There is
 * no give-up time: jobs (videos above all) may take minutes, so polling stops
 * only at a terminal status, on an answer that can never change, or when the
 * page goes away.
 */
export function useJob<K extends JobKind>(kind: K) {
  const [job, setJob] = useState<JobState<K> | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inFlight = useRef(false);
  // Kept only while a request's outcome is unknown, so resending the same parameters cannot make a second job.
  const pendingKey = useRef<{ key: string; body: string } | null>(null);

  const submit = useCallback(
    async (params: ParamsOf<K>): Promise<ApiError | null> => {
      if (inFlight.current) return null;
      inFlight.current = true;
      setSubmitting(true);
      const body = JSON.stringify(params);
      const key = pendingKey.current?.body === body ? pendingKey.current.key : newIdempotencyKey();
      pendingKey.current = { key, body };
      try {
        const accepted = await submitJob(kind, params, key);
        pendingKey.current = null;
        setJob({
          kind,
          jobId: accepted.job_id,
          params,
          status: accepted.status,
          progress: 0,
          reached: Math.max(0, STAGES.indexOf(accepted.status)),
          message: accepted.message,
          error: null,
          startedAt: Date.now(),
          finishedAt: null,
          result: null,
          connectionProblem: null,
          fatal: null,
        });
        return null;
      } catch (e) {
        const error =
          e instanceof ApiError ? e : new ApiError(0, "unknown", "Could not start the generation. Try again.");
        // A definite refusal created nothing, and a reused key would be refused next time.
        if (error.status >= 400 && error.status < 500) pendingKey.current = null;
        return error;
      } finally {
        inFlight.current = false;
        setSubmitting(false);
      }
    },
    [kind],
  );

  const jobId = job?.jobId;
  useEffect(() => {
    if (!jobId) return;
    const controller = new AbortController();
    let timer: number | undefined;
    const update = (fn: (j: JobState<K>) => Partial<JobState<K>>) =>
      setJob((j) => (j && j.jobId === jobId ? { ...j, ...fn(j) } : j));

    const tick = async () => {
      try {
        const s = await getJobStatus(kind, jobId, controller.signal);
        const done = isTerminal(s.status);
        update((j) => ({
          status: s.status,
          progress: s.progress,
          reached: Math.max(j.reached, STAGES.indexOf(s.status)),
          message: s.message,
          error: s.error,
          finishedAt: done ? (j.finishedAt ?? Date.now()) : null,
          connectionProblem: null,
        }));
        if (done) {
          const result = s.status === "COMPLETED" ? await getJobResult(kind, jobId, controller.signal) : null;
          update((j) => ({ result, error: j.error ?? result?.error ?? null }));
          announceNotificationsChanged();
          return;
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          update((j) => ({ fatal: e.message, finishedAt: j.finishedAt ?? Date.now() }));
          return;
        }
        update(() => ({ connectionProblem: "Lost contact with the server. Still trying…" }));
      }
      timer = window.setTimeout(() => void tick(), POLL_MS);
    };

    void tick();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [kind, jobId]);

  return { job, submitting, submit };
}
