import { counter, gauge, histogram } from "@sorami/metrics";
import type pg from "pg";
import type { QueueSchema } from "./queue";

/**
 * Metrics of each service's queue, the same in both: what the base runner
 * sees of every task run, and the queue's depth read from graphile-worker's
 * jobs table when Prometheus scrapes.
 */

/**
 * Time a job waited between becoming due (its run_at: when queued, or when
 * its retry was scheduled for) and a worker starting it. From milliseconds
 * (an idle worker takes a job at once) to an hour (a backlog).
 */
const QUEUE_WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600] as const;
/** A task run: a dispatch takes milliseconds, a video generation up to its 30-minute limit. */
const TASK_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800] as const;

export const queueWait = histogram({
  name: "sorami_queue_wait_seconds",
  help: "Time a queue job waited from due to started, by queue and task",
  labelNames: ["queue", "task"],
  buckets: QUEUE_WAIT_BUCKETS,
});

/** ok: done; retry: failed, another attempt queued; failed: failed for good; invalid: payload refused. */
export type TaskOutcome = "ok" | "retry" | "failed" | "invalid";

export const taskRuns = counter({
  name: "sorami_queue_tasks_total",
  help: "Queue task runs by queue, task and outcome (ok, retry, failed, invalid)",
  labelNames: ["queue", "task", "outcome"],
});

export const taskDuration = histogram({
  name: "sorami_queue_task_duration_seconds",
  help: "Duration of queue task runs, by queue and task",
  labelNames: ["queue", "task"],
  buckets: TASK_DURATION_BUCKETS,
});

type DepthRow = {
  task: string;
  waiting: string;
  scheduled: string;
  running: string;
  failed: string;
  oldest_wait_seconds: number | null;
};

/**
 * The queue's jobs per task and state, one grouped scan of the jobs table
 * (it only holds unfinished and failed jobs: graphile-worker deletes
 * finished ones), when Prometheus asks:
 * waiting: due and free; scheduled: due later (a retry's backoff, a delayed
 * run); running: locked by a worker; failed: attempts spent, kept for the
 * operator.
 */
async function readDepth(pool: pg.Pool, queue: QueueSchema): Promise<DepthRow[]> {
  const { rows } = await pool.query<DepthRow>(
    `select t.identifier as task,
       count(*) filter (where j.is_available and j.run_at <= now()) as waiting,
       count(*) filter (where j.is_available and j.run_at > now()) as scheduled,
       count(*) filter (where j.locked_at is not null) as running,
       count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts) as failed,
       extract(epoch from now() - min(j.run_at) filter (where j.is_available and j.run_at <= now()))::float8
         as oldest_wait_seconds
     from "${queue}"._private_jobs j join "${queue}"._private_tasks t on t.id = j.task_id
     group by t.identifier`,
  );
  return rows;
}

const QUEUE_STATES = ["waiting", "scheduled", "running", "failed"] as const;

/**
 * Registers the queue's depth gauges for this process. Every process of a
 * service reads the same table, so sum a service's processes with `max`, not
 * `sum` (the dashboard does).
 */
export function watchQueueDepth(pool: pg.Pool, queue: QueueSchema): void {
  // One scan serves both gauges of a scrape: prom-client starts every collect at once.
  let pending: Promise<DepthRow[]> | null = null;
  const read = () => {
    pending ??= readDepth(pool, queue).finally(() => {
      pending = null;
    });
    return pending;
  };
  gauge({
    name: "sorami_queue_jobs",
    help: "Jobs in a service's queue by task and state (waiting, scheduled, running, failed), read at scrape",
    labelNames: ["queue", "task", "state"],
    collect: async () =>
      (await read()).flatMap((row) =>
        QUEUE_STATES.map((state) => ({ labels: { queue, task: row.task, state }, value: Number(row[state]) })),
      ),
  });
  gauge({
    name: "sorami_queue_oldest_waiting_seconds",
    help: "Age of the oldest due job not yet started, by queue and task, read at scrape",
    labelNames: ["queue", "task"],
    collect: async () =>
      (await read())
        .filter((row) => row.oldest_wait_seconds !== null)
        .map((row) => ({ labels: { queue, task: row.task }, value: row.oldest_wait_seconds ?? 0 })),
  });
}
