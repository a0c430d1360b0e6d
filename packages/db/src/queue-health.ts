import { and, eq, lt, sql } from "drizzle-orm";
import type { WorkerEvents, WorkerUtils } from "graphile-worker";
import type { Database } from "./client";
import type { QueueSchema } from "./queue";
import { queueHeartbeats } from "./schema";

/** How often a pool records that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * A pool silent for this long is taken as dead and its jobs are freed. Six
 * missed beats: long enough for a stalled event loop, short enough that a
 * crashed worker's job starts again within two minutes.
 */
export const DEFAULT_STALE_AFTER_MS = 60_000;

export type QueueHealth = { stop: () => Promise<void>; sweep: () => Promise<string[]> };

/**
 * Beats for every pool this process runs on `queue`, and sweeps: pools whose
 * last beat is older than `staleAfterMs` are deleted and their locked jobs
 * freed at once (graphile-worker's forceUnlockWorkers), to run again.
 */
export function watchQueueHealth(opts: {
  db: Database;
  queue: QueueSchema;
  events: WorkerEvents;
  utils: () => Promise<WorkerUtils>;
  staleAfterMs?: number;
  log?: (line: string) => void;
}): QueueHealth {
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const pools = new Set<string>();
  const beat = async () => {
    for (const poolId of pools) {
      await opts.db
        .insert(queueHeartbeats)
        .values({ poolId, queue: opts.queue, pid: process.pid })
        .onConflictDoUpdate({ target: queueHeartbeats.poolId, set: { lastSeen: sql`now()` } });
    }
  };
  /** When this process last failed to reach the database (0: never). */
  let lastFailureAt = 0;
  const sweep = async (): Promise<string[]> => {
    // A pool is dead only if it was silent while it could have beaten: not while this process
    // could not reach the database either (after an outage every pool is "silent"; judging then
    // would free the jobs of live pools), nor while the database itself was down (restarted).
    if (lastFailureAt > 0 && Date.now() - lastFailureAt < staleAfterMs) {
      return [];
    }
    const window = sql`now() - make_interval(secs => ${staleAfterMs / 1000})`;
    const dead = await opts.db
      .delete(queueHeartbeats)
      .where(
        and(
          eq(queueHeartbeats.queue, opts.queue),
          lt(queueHeartbeats.lastSeen, window),
          lt(sql`pg_postmaster_start_time()`, window),
        ),
      )
      .returning({ poolId: queueHeartbeats.poolId, pid: queueHeartbeats.pid });
    const ids = dead.map((d) => d.poolId).filter((id) => !pools.has(id));
    if (ids.length > 0) {
      await (await opts.utils()).forceUnlockWorkers(ids);
      opts.log?.(`[queue-health] ${opts.queue}: freed the jobs of dead worker pool(s) ${ids.join(", ")}`);
    }
    return ids;
  };
  opts.events.on("pool:create", ({ workerPool }) => {
    pools.add(workerPool.id);
    void beat().catch(() => {});
  });
  opts.events.on("pool:release", ({ workerPool }) => {
    pools.delete(workerPool.id);
    void opts.db
      .delete(queueHeartbeats)
      .where(eq(queueHeartbeats.poolId, workerPool.id))
      .catch(() => {});
  });
  const tick = async () => {
    try {
      await beat();
    } catch (error) {
      // Logged once per outage: the connection gate (gate.ts) says when the database is back.
      if (lastFailureAt === 0 || Date.now() - lastFailureAt > staleAfterMs) {
        opts.log?.(`[queue-health] ${opts.queue}: heartbeat failed: ${(error as Error).message}`);
      }
      lastFailureAt = Date.now();
      return;
    }
    try {
      await sweep();
    } catch (error) {
      opts.log?.(`[queue-health] ${opts.queue}: sweep failed: ${(error as Error).message}`);
    }
  };
  // Sweep more often than the stale window so a dead pool is found soon after it goes stale.
  const every = Math.min(HEARTBEAT_INTERVAL_MS, Math.max(1000, staleAfterMs / 3));
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      for (const poolId of pools) {
        await opts.db
          .delete(queueHeartbeats)
          .where(eq(queueHeartbeats.poolId, poolId))
          .catch(() => {});
      }
    },
  };
}
