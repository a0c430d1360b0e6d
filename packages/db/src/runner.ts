import { EventEmitter } from "node:events";
import { logger as rootLogger } from "@sorami/log";
import {
  Logger,
  makeWorkerUtils,
  type Runner,
  run,
  type TaskList,
  type WorkerEvents,
  type WorkerUtils,
} from "graphile-worker";
import type pg from "pg";
import { type Backoff, backoffDelay } from "./backoff";
import type { Database } from "./client";
import type { QueueSchema } from "./queue";
import { watchQueueHealth } from "./queue-health";
import { watchQueueDepth } from "./queue-metrics";

/**
 * Waits before restarting a runner that stopped on its own: 1 s first, then
 * twice as long each failed restart, at most 30 s. Each restart attempt builds
 * a whole worker pool (its LISTEN client, its workers), so attempts are rarer
 * than single connections (gate.ts); the cap bounds how late the queue resumes
 * after the database is back.
 */
export const RUNNER_RESTART_BACKOFF: Backoff = { firstMs: 1000, maxMs: 30_000 };
/** New jobs arrive by LISTEN/NOTIFY at once; polling only catches scheduled ones (retries, runAt): within a second. */
const POLL_INTERVAL_MS = 1000;

export type QueueRunner = {
  runner: () => Runner;
  /** false once the runner stopped on its own (lost database, fatal error): /health reports it. */
  alive: () => boolean;
  /** Frees the jobs of dead pools now (also runs on a timer). */
  sweep: () => Promise<string[]>;
  stop: () => Promise<void>;
};

/**
 * A graphile-worker runner for one service's queue, the same way in both
 * services: quiet logging, our own signal handling, and queue health (dead
 * pools' jobs freed within the stale window instead of 4 hours).
 */
export async function startQueueRunner(opts: {
  name: string;
  pool: pg.Pool;
  db: Database;
  schema: QueueSchema;
  concurrency: number;
  taskList: TaskList;
  crontab?: string;
  staleAfterMs?: number;
}): Promise<QueueRunner> {
  const log = rootLogger().child({ queue: opts.schema });
  const logger = new Logger(() => (level, message) => {
    // graphile-worker logs every job at info level (the base runner logs its own lines); keep warnings and errors.
    if (level === "error") {
      log.error(message);
    } else if (level === "warning") {
      log.warn(message);
    }
  });
  const events = new EventEmitter() as WorkerEvents;
  let utils: Promise<WorkerUtils> | undefined;
  const utilsOnce = () => {
    utils ??= makeWorkerUtils({ pgPool: opts.pool, schema: opts.schema, logger });
    return utils;
  };
  // The pools this process runs, so a crashed runner's jobs can be freed before it is restarted.
  const ownPools = new Set<string>();
  events.on("pool:create", ({ workerPool }) => ownPools.add(workerPool.id));
  const health = watchQueueHealth({
    db: opts.db,
    queue: opts.schema,
    events,
    staleAfterMs: opts.staleAfterMs,
    utils: utilsOnce,
    log: (line) => log.warn(line),
  });
  const start = () =>
    run({
      pgPool: opts.pool,
      schema: opts.schema,
      concurrency: opts.concurrency,
      noHandleSignals: true,
      pollInterval: POLL_INTERVAL_MS,
      logger,
      events,
      taskList: opts.taskList,
      ...(opts.crontab ? { crontab: opts.crontab } : {}),
    });
  let runner = await start();
  watchQueueDepth(opts.pool, opts.schema);
  let stopping = false;
  let alive = true;
  /**
   * A runner that stops on its own (the database went away under it) is
   * started again: its locked jobs are freed first, so nothing waits for the
   * stale window.
   */
  const supervise = (r: Runner) => {
    r.promise
      .catch((error) => log.error({ err: error }, "queue worker stopped"))
      .finally(async () => {
        if (stopping) {
          return;
        }
        alive = false;
        const own = [...ownPools];
        ownPools.clear();
        for (let failures = 1; !stopping; failures++) {
          await new Promise((res) => setTimeout(res, backoffDelay(failures, RUNNER_RESTART_BACKOFF)));
          try {
            if (own.length > 0) {
              await (await utilsOnce()).forceUnlockWorkers(own);
            }
            runner = await start();
            alive = true;
            log.warn("queue worker restarted");
            supervise(runner);
            return;
          } catch (error) {
            log.error({ err: error }, "queue worker restart failed");
          }
        }
      });
  };
  supervise(runner);
  // A pool that died before this process started is found at once, not after a timer tick.
  await health.sweep().catch(() => []);
  return {
    runner: () => runner,
    alive: () => alive,
    sweep: health.sweep,
    stop: async () => {
      stopping = true;
      await runner.stop().catch(() => {});
      await health.stop();
      await (await utils)?.release();
    },
  };
}
