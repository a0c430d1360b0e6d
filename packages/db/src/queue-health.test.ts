import { EventEmitter } from "node:events";
import { makeWorkerUtils, type WorkerEvents } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLocksOfDeadRun } from "./crash-recovery";
import { QUEUE_SCHEMAS } from "./queue";
import { watchQueueHealth } from "./queue-health";
import { queueHeartbeats } from "./schema";
import { startTestDatabase } from "./testing";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const schema = QUEUE_SCHEMAS.generator;

/** A queue job locked by a worker pool, as a running job is. */
async function lockedJob(worker: string): Promise<string> {
  const { rows } = await t.pool.query<{ id: string }>(
    `select (${schema}.add_job('generate', '{}'::json)).id::text as id`,
  );
  const id = rows[0]?.id ?? "";
  await t.pool.query(`update ${schema}._private_jobs set locked_by = $1, locked_at = now() where id = $2`, [
    worker,
    id,
  ]);
  return id;
}
const lockOf = async (id: string) =>
  (await t.pool.query(`select locked_by from ${schema}._private_jobs where id = $1`, [id])).rows[0]?.locked_by;

describe("queue health", () => {
  it("judges no pool dead while the database itself has not been up for the stale window", async () => {
    const dead = "pool-silent-for-an-hour";
    const job = await lockedJob(dead);
    await t.db.insert(queueHeartbeats).values({ poolId: dead, queue: schema, pid: 1 });
    await t.pool.query("update queue_health.heartbeats set last_seen = now() - interval '1 hour' where pool_id = $1", [
      dead,
    ]);
    const utils = makeWorkerUtils({ pgPool: t.pool, schema });
    const started = Number(
      (await t.pool.query("select extract(epoch from now() - pg_postmaster_start_time()) s")).rows[0].s,
    );
    // The database started seconds ago: a pool silent for an hour was silent while it was down too.
    const health = watchQueueHealth({
      db: t.db,
      queue: schema,
      events: new EventEmitter() as WorkerEvents,
      utils: () => utils,
      staleAfterMs: (started + 60) * 1000,
    });
    expect(await health.sweep()).toEqual([]);
    expect(await lockOf(job)).toBe(dead);
    await health.stop();
    // Once the database has been up longer than the window, the same silence means dead.
    const later = watchQueueHealth({
      db: t.db,
      queue: schema,
      events: new EventEmitter() as WorkerEvents,
      utils: () => utils,
      staleAfterMs: 2000,
    });
    await new Promise((r) => setTimeout(r, Math.max(0, 2500 - started * 1000)));
    // This sweep or the watcher's own timer (every second here) frees it: judged by the effect.
    await later.sweep();
    expect(await lockOf(job)).toBeNull();
    expect((await t.pool.query("select count(*)::int n from queue_health.heartbeats")).rows[0].n).toBe(0);
    await later.stop();
    await (await utils).release();
  });
});

describe("freeLocksOfDeadRun (the launcher, after a crash of the whole machine)", () => {
  it("frees every lock and forgets every heartbeat at once, whatever their age", async () => {
    const a = await lockedJob("pool-of-dead-run-a");
    const b = await lockedJob("pool-of-dead-run-b");
    await t.db.insert(queueHeartbeats).values({ poolId: "pool-of-dead-run-a", queue: schema, pid: 2 });
    const freed = await freeLocksOfDeadRun(t.url);
    expect(freed.find((f) => f.queue === schema)).toMatchObject({ workers: 2, jobs: 2 });
    expect(await lockOf(a)).toBeNull();
    expect(await lockOf(b)).toBeNull();
    expect((await t.pool.query("select count(*)::int n from queue_health.heartbeats")).rows[0].n).toBe(0);
  });
});
