import { sql } from "drizzle-orm";
import type { Tx } from "../client";
import type { QueueSchema } from "../queue";

/**
 * What the admin overview shows of one service's queue, read from
 * graphile-worker's own table (0.17: `_private_jobs`, `_private_tasks`), per
 * task. A job is `waiting` when it could run now and no worker has it,
 * `scheduled` when it waits for a later time (a retry's backoff or a chosen
 * run_at), `running` while a worker holds it, `failed` once its attempts are
 * spent (graphile-worker keeps those rows).
 */
export type QueueTaskStats = {
  task: string;
  waiting: number;
  scheduled: number;
  running: number;
  failed: number;
  /** When the longest-waiting runnable job became runnable; null with none waiting. */
  oldestWaitingSince: Date | null;
};

export async function queueStats(db: Tx, schema: QueueSchema): Promise<QueueTaskStats[]> {
  const q = sql.raw(`"${schema}"`);
  const { rows } = await db.execute<{
    task: string;
    waiting: string;
    scheduled: string;
    running: string;
    failed: string;
    oldest: string | null;
  }>(sql`
    select t.identifier as task,
      count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()) as waiting,
      count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()) as scheduled,
      count(*) filter (where j.locked_at is not null) as running,
      count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts) as failed,
      min(j.run_at) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()) as oldest
    from ${q}._private_jobs j join ${q}._private_tasks t on t.id = j.task_id
    group by t.identifier order by t.identifier`);
  return rows.map((r) => ({
    task: r.task,
    waiting: Number(r.waiting),
    scheduled: Number(r.scheduled),
    running: Number(r.running),
    failed: Number(r.failed),
    oldestWaitingSince: r.oldest ? new Date(r.oldest) : null,
  }));
}

/** A worker pool that beat within the stale window: one per live process of that service. */
export type LiveProcess = { poolId: string; pid: number; lastSeen: Date };

export async function liveQueueProcesses(db: Tx, schema: QueueSchema, staleAfterMs: number): Promise<LiveProcess[]> {
  const { rows } = await db.execute<{ pool_id: string; pid: number; last_seen: string }>(sql`
    select pool_id, pid, last_seen from queue_health.heartbeats
    where queue = ${schema} and last_seen > now() - make_interval(secs => ${staleAfterMs / 1000})
    order by pid`);
  return rows.map((r) => ({ poolId: r.pool_id, pid: Number(r.pid), lastSeen: new Date(r.last_seen) }));
}

/** One service's queue and processes, as the admin console shows them (contracts' adminQueueSchema). */
export async function queueView(
  db: Tx,
  schema: QueueSchema,
  staleAfterMs: number,
): Promise<{
  tasks: {
    task: string;
    waiting: number;
    scheduled: number;
    running: number;
    failed: number;
    oldest_waiting_since: string | null;
  }[];
  processes: { pid: number; last_seen: string }[];
}> {
  const [tasks, processes] = await Promise.all([queueStats(db, schema), liveQueueProcesses(db, schema, staleAfterMs)]);
  return {
    tasks: tasks.map((t) => ({
      task: t.task,
      waiting: t.waiting,
      scheduled: t.scheduled,
      running: t.running,
      failed: t.failed,
      oldest_waiting_since: t.oldestWaitingSince?.toISOString() ?? null,
    })),
    processes: processes.map((p) => ({ pid: p.pid, last_seen: p.lastSeen.toISOString() })),
  };
}
