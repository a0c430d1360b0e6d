import type { SQL } from "drizzle-orm";
import type { JobHelpers, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Tx } from "./client";
import { addJobCall, enqueue, type QueueSchema } from "./queue";

/**
 * Queue tasks, the same way in both services. A task is a definition — its
 * name, the zod schema of its payload (ids only: rows hold the rest), its
 * attempts, its time limit and which errors are worth another attempt —
 * written once in its service's registry (`tasks.ts`) and enqueued only
 * through it, plus a handler bound in that service's worker. One runner
 * (`taskList`) runs every handler: it validates the payload, enforces the
 * time limit, classifies what the handler throws and logs task, ids and
 * attempt as one JSON line.
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
};
export type TaskHandler<P> = (payload: P, ctx: TaskContext) => Promise<unknown>;

/** A task's time limit passed. */
export class TaskTimeout extends Error {
  constructor(task: string, ms: number) {
    super(`${task} took longer than ${ms} ms and was stopped`);
    this.name = "TaskTimeout";
  }
}

/** A logger writing one JSON line per event, every line carrying `fields` (what a task's context gives). */
export function jsonLog(fields: Record<string, unknown>): TaskContext["log"] {
  return (level, event, extra = {}) => logLine(level, { ...fields, event, ...extra });
}

function logLine(level: "info" | "warn" | "error", line: Record<string, unknown>): void {
  const text = JSON.stringify({ level, ...line });
  if (level === "info") {
    console.info(text);
  } else if (level === "warn") {
    console.warn(text);
  } else {
    console.error(text);
  }
}

/**
 * The one base runner. A payload that does not match its schema is logged
 * and dropped (it can never become valid); a run past its time limit is
 * aborted; an error the definition calls retryable is thrown back to the
 * queue (another attempt later, until maxAttempts), any other ends the job.
 */
function runTask<P extends Record<string, unknown>>(service: string, task: TaskDefinition<P>, handler: TaskHandler<P>) {
  return async (raw: unknown, helpers: JobHelpers): Promise<void> => {
    const attempt = helpers.job.attempts;
    const base = { service, task: task.name, attempt, max_attempts: helpers.job.max_attempts };
    const parsed = task.payload.safeParse(raw);
    if (!parsed.success) {
      logLine("error", { ...base, event: "invalid_payload", issue: parsed.error.issues[0]?.message ?? "" });
      return;
    }
    const payload = parsed.data;
    const log = jsonLog({ ...base, ...payload });
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
    try {
      await Promise.race([handler(payload, { attempt, signal, shutdown: helpers.abortSignal, log }), timedOut]);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (!(task.retryable?.(error) ?? true)) {
        log("error", "failed", { error: message, retry: false });
        return;
      }
      log(attempt >= helpers.job.max_attempts ? "error" : "warn", "failed", {
        error: message,
        retry: attempt < helpers.job.max_attempts,
      });
      throw error;
    } finally {
      clearTimeout(timer);
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

/** graphile-worker's task list for a service's registry and its handlers, each run through the base runner. */
export function taskList<R extends Record<string, AnyTask>>(
  service: string,
  registry: R,
  handlers: HandlersOf<R>,
): TaskList {
  const list: TaskList = {};
  for (const key of Object.keys(registry) as (keyof R)[]) {
    const task = registry[key] as unknown as TaskDefinition<Record<string, unknown>>;
    list[task.name] = runTask(service, task, handlers[key] as TaskHandler<Record<string, unknown>>);
  }
  return list;
}
