import pg from "pg";
import { QUEUE_SCHEMAS } from "./queue";

export type FreedLocks = { queue: string; workers: number; jobs: number };

/**
 * After a crash of the whole machine (or of every process of one `npm start`),
 * frees every queue lock and forgets every heartbeat, so in-flight jobs run
 * again as soon as the new workers start instead of after QUEUE_STALE_SECONDS.
 *
 * Only for a database no live worker can be using: the single-machine
 * launcher calls it for its embedded PostgreSQL (reachable on loopback only,
 * owned by the DATA_DIR whose lock it holds) before it starts any service and
 * after it made sure the previous run's processes are gone. Never on a shared
 * database: there the heartbeat rule (queue-health.ts) decides who is dead.
 */
export async function freeLocksOfDeadRun(databaseUrl: string): Promise<FreedLocks[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "sorami-launcher" });
  await client.connect();
  try {
    const freed: FreedLocks[] = [];
    for (const schema of Object.values(QUEUE_SCHEMAS)) {
      const exists = await client.query<{ t: string | null }>("select to_regclass($1) as t", [
        `${schema}._private_jobs`,
      ]);
      if (!exists.rows[0]?.t) {
        continue; // never migrated: a first start
      }
      const { rows } = await client.query<{ workers: string[] | null; jobs: number }>(
        `select array_agg(distinct locked_by) as workers, count(*)::int as jobs
           from "${schema}"._private_jobs where locked_by is not null`,
      );
      const queues = await client.query<{ workers: string[] | null }>(
        `select array_agg(distinct locked_by) as workers from "${schema}"._private_job_queues where locked_by is not null`,
      );
      const workers = [...new Set([...(rows[0]?.workers ?? []), ...(queues.rows[0]?.workers ?? [])])];
      if (workers.length > 0) {
        await client.query(`select "${schema}".force_unlock_workers($1::text[])`, [workers]);
      }
      freed.push({ queue: schema, workers: workers.length, jobs: rows[0]?.jobs ?? 0 });
    }
    if ((await client.query("select to_regclass('queue_health.heartbeats') as t")).rows[0]?.t) {
      await client.query("delete from queue_health.heartbeats");
    }
    return freed;
  } finally {
    await client.end().catch(() => {});
  }
}
