import { EventEmitter } from "node:events";
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
import type { Database } from "./client";
import type { QueueSchema } from "./queue";
import { watchQueueHealth } from "./queue-health";

export type QueueRunner = {
  runner: Runner;
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
  const logger = new Logger(() => (level, message) => {
    // graphile-worker logs every job at info level; keep warnings and errors only.
    if (level === "error" || level === "warning") console.error(`[${opts.name}] ${level}: ${message}`);
  });
  const events = new EventEmitter() as WorkerEvents;
  let utils: Promise<WorkerUtils> | undefined;
  const health = watchQueueHealth({
    db: opts.db,
    queue: opts.schema,
    events,
    staleAfterMs: opts.staleAfterMs,
    utils: () => {
      utils ??= makeWorkerUtils({ pgPool: opts.pool, schema: opts.schema, logger });
      return utils;
    },
    log: (line) => console.warn(`[${opts.name}] ${line}`),
  });
  const runner = await run({
    pgPool: opts.pool,
    schema: opts.schema,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    // New jobs arrive by LISTEN/NOTIFY at once; polling only catches scheduled ones.
    pollInterval: 1000,
    logger,
    events,
    taskList: opts.taskList,
    ...(opts.crontab ? { crontab: opts.crontab } : {}),
  });
  let alive = true;
  runner.promise.then(
    () => (alive = false),
    (error) => {
      console.error(`[${opts.name}] queue worker crashed:`, error);
      alive = false;
    },
  );
  // A pool that died before this process started is found at once, not after a timer tick.
  await health.sweep().catch(() => []);
  return {
    runner,
    alive: () => alive,
    sweep: health.sweep,
    stop: async () => {
      await runner.stop().catch(() => {});
      await health.stop();
      await (await utils)?.release();
    },
  };
}
