import { type Logger, logger } from "@sorami/log";
import type { SQL } from "drizzle-orm";
import type { JobHelpers, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Tx } from "./client";
import { addJobCall, enqueue, type QueueSchema } from "./queue";
import { queueWait, type TaskOutcome, taskDuration, taskRuns } from "./queue-metrics";

/**
 * Queue tasks, the same way in both services. A task is a definition — its
 * name, the zod schema of its payload (ids only: rows hold the rest), its
 * attempts, its time limit and which errors are worth another attempt —
 * written once in its service's registry (`tasks.ts`) and enqueued only
 * through it, plus a handler bound in that service's worker. One runner
 * (`taskList`) runs every handler: it validates the payload, enforces the
 * time limit, classifies what the handler throws, gives the handler a child
 * logger carrying task, queue job id, attempt and the payload's ids (so every
 * line of a run has them), and counts runs, durations and queue waits.
 */
export type TaskDefinition<P extends Record<string, unknown>> = {
  /** graphile-worker's task identifier: written here and nowhere else. */
  name: string;
  queue: QueueSchema;
  payload: z.ZodType<P>;
  /** Runs of one queued job (graphile-worker waits exp(min(n, 10)) s before run n + 1). */
  maxAttempts: number;
  /** A run still going after this long is aborted (its signal) and counted as a failed attempt. */
  timeoutMs: number;
  /** Lower runs first; default 0. */
  priority?: number;
  /** At most one job waiting per key: a second enqueue replaces one that has not started. */
  jobKey?: (payload: P) => string;
  /** Whether an error is worth another attempt; default: every error is. Others end the job at once, logged. */
  retryable?: (error: unknown) => boolean;
};

/** The payload a definition takes. */
export type PayloadOf<D> = D extends TaskDefinition<infer P> ? P : never;

export function defineTask<P extends Record<string, unknown>>(definition: TaskDefinition<P>): TaskDefinition<P> {
  return definition;
}

/** The payload schema of most tasks: one id. */
export const idPayload = <K extends string>(key: K) =>
  z.object({ [key]: z.string().min(1) } as Record<K, z.ZodString>) as unknown as z.ZodType<Record<K, string>>;

function jobOptions<P extends Record<string, unknown>>(task: TaskDefinition<P>, payload: P, options: { runAt?: Date }) {
  return {
    jobKey: task.jobKey?.(payload),
    maxAttempts: task.maxAttempts,
    priority: task.priority,
    runAt: options.runAt,
  };
}

/** Queues a task in the caller's transaction: it exists if and only if the rows it concerns were committed. */
export async function enqueueTask<P extends Record<string, unknown>>(
  tx: Tx,
  task: TaskDefinition<P>,
  payload: P,
  options: { runAt?: Date } = {},
): Promise<void> {
  await enqueue(tx, task.queue, task.name, task.payload.parse(payload), jobOptions(task, payload, options));
}

/** The same, as an SQL fragment for a statement that queues it only if its other parts wrote (see addJobCall). */
export function taskCall<P extends Record<string, unknown>>(
  task: TaskDefinition<P>,
  payload: P,
  options: { runAt?: Date } = {},
): SQL {
  return addJobCall(task.queue, task.name, task.payload.parse(payload), jobOptions(task, payload, options));
}

/** What a handler is given besides its payload. */
export type TaskContext = {
  /** 1 for the first run of this queued job, 2 for its retry… */
  attempt: number;
  /** Aborted when the process shuts down or the task's time limit passes. */
  signal: AbortSignal;
  /** Aborted only when the process shuts down (the queue hands the job back). */
  shutdown: AbortSignal;
  /** A JSON log line carrying the task, its payload's ids and the attempt. */
  log: (level: "info" | "warn" | "error", event: string, fields?: Record<string, unknown>) => void;
  /** The same as a pino child logger (task, queue job id, attempt and the payload's ids bound). */
  logger: Logger;
};
export type TaskHandler<P> = (payload: P, ctx: TaskContext) => Promise<unknown>;

/** A task's time limit passed. */
export class TaskTimeout extends Error {
  constructor(task: string, ms: number) {
    super(`${task} took longer than ${ms} ms and was stopped`);
    this.name = "TaskTimeout";
  }
}

/** `jobId` → `job_id`: log fields are snake_case, like the wire's ids, whatever the payload calls them. */
const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A task's log function over a child logger: one JSON line per event, named by `event` (also its message). */
export function taskLog(child: Logger): TaskContext["log"] {
  return (level, event, extra = {}) => child[level]({ event, ...extra }, event);
}

/** A log function whose every line carries `fields` (ids given in camelCase are written in snake_case). */
export function jsonLog(fields: Record<string, unknown>): TaskContext["log"] {
  return taskLog(logger().child(Object.fromEntries(Object.entries(fields).map(([k, v]) => [snakeCase(k), v]))));
}

/**
 * The one base runner. A payload that does not match its schema is logged
 * and dropped (it can never become valid); a run past its time limit is
 * aborted; an error the definition calls retryable is thrown back to the
 * queue (another attempt later, until maxAttempts), any other ends the job.
 */
function runTask<P extends Record<string, unknown>>(
  task: TaskDefinition<P>,
  handler: TaskHandler<P>,
  around: AroundTask,
) {
  const labels = { queue: task.queue, task: task.name };
  return async (raw: unknown, helpers: JobHelpers): Promise<void> => {
    const startedAt = Date.now();
    queueWait.observe(labels, Math.max(0, startedAt - new Date(helpers.job.run_at).getTime()) / 1000);
    const attempt = helpers.job.attempts;
    const base = logger().child({
      queue: task.queue,
      task: task.name,
      queue_job_id: helpers.job.id,
      attempt,
      max_attempts: helpers.job.max_attempts,
    });
    const parsed = task.payload.safeParse(raw);
    if (!parsed.success) {
      base.error({ event: "invalid_payload", issue: parsed.error.issues[0]?.message ?? "" }, "invalid payload");
      taskRuns.inc({ ...labels, outcome: "invalid" });
      return;
    }
    const payload = parsed.data;
    const child = base.child(Object.fromEntries(Object.entries(payload).map(([k, v]) => [snakeCase(k), v])));
    const log = taskLog(child);
    const limit = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TaskTimeout(task.name, task.timeoutMs);
        // Rejected before the handler hears of it, so a handler that returns as soon as it is aborted still times out.
        reject(error);
        limit.abort(error);
      }, task.timeoutMs);
    });
    const signal = AbortSignal.any([helpers.abortSignal, limit.signal]);
    let outcome: TaskOutcome = "ok";
    const ctx: TaskContext = { attempt, signal, shutdown: helpers.abortSignal, log, logger: child };
    try {
      await Promise.race([around(ctx, () => handler(payload, ctx), payload), timedOut]);
    } catch (error) {
      if (!(task.retryable?.(error) ?? true)) {
        outcome = "failed";
        child.error({ event: "failed", err: error, retry: false }, "task failed");
        return;
      }
      const retry = attempt < helpers.job.max_attempts;
      outcome = retry ? "retry" : "failed";
      child[retry ? "warn" : "error"]({ event: "failed", err: error, retry }, "task failed");
      throw error;
    } finally {
      clearTimeout(timer);
      const seconds = (Date.now() - startedAt) / 1000;
      taskRuns.inc({ ...labels, outcome });
      taskDuration.observe(labels, seconds);
      child.debug({ event: "done", outcome, ms: Math.round(seconds * 1000) }, "task done");
    }
  };
}

/** Any definition, whatever its payload (what a registry holds). */
type AnyTask = Pick<TaskDefinition<Record<string, unknown>>, "name" | "queue" | "maxAttempts" | "timeoutMs"> & {
  payload: z.ZodType;
};

/** The handlers of a registry: one per definition, typed by its payload. */
export type HandlersOf<R extends Record<string, AnyTask>> = {
  [K in keyof R]: TaskHandler<PayloadOf<R[K]>>;
};

/**
 * Wraps every handler run of a registry, e.g. to make the run's logger the
 * one code deep inside the handler logs with (the web app's async context).
 */
export type AroundTask = (
  ctx: TaskContext,
  run: () => Promise<unknown>,
  payload: Record<string, unknown>,
) => Promise<unknown>;

/** graphile-worker's task list for a service's registry and its handlers, each run through the base runner. */
export function taskList<R extends Record<string, AnyTask>>(
  registry: R,
  handlers: HandlersOf<R>,
  options: { around?: AroundTask } = {},
): TaskList {
  const around: AroundTask = options.around ?? ((_ctx, run) => run());
  const list: TaskList = {};
  for (const key of Object.keys(registry) as (keyof R)[]) {
    const task = registry[key] as unknown as TaskDefinition<Record<string, unknown>>;
    list[task.name] = runTask(task, handlers[key] as TaskHandler<Record<string, unknown>>, around);
  }
  return list;
}
