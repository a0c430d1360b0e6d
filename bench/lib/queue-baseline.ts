import { Logger, run } from "graphile-worker";
import pg from "pg";
import { BENCH_QUEUE_SCHEMA } from "./stack";
import { round, summarize } from "./stats";

/** Same concurrency as one generator process's queue (GENERATOR_CONCURRENCY default). */
export const QUEUE_BASELINE_CONCURRENCY = 4;
/** Parallel enqueuers: each add_job is its own transaction, as each submit is. */
const ENQUEUERS = 10;

/**
 * graphile-worker's own ceiling on this database: `jobs` no-op jobs, each
 * added by its own `add_job` call, run by one runner; enqueue → done rate and
 * latency. The pipeline's throughput is compared with it.
 */
export async function queueBaseline(databaseUrl: string, jobs: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: ENQUEUERS + QUEUE_BASELINE_CONCURRENCY + 2 });
  const latencies: number[] = [];
  let lastDone = 0;
  let resolveAll!: () => void;
  const allDone = new Promise<void>((r) => {
    resolveAll = r;
  });
  const runner = await run({
    pgPool: pool,
    schema: BENCH_QUEUE_SCHEMA,
    concurrency: QUEUE_BASELINE_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new Logger(() => () => {}),
    taskList: {
      noop: async (payload) => {
        const now = performance.timeOrigin + performance.now();
        latencies.push(now - (payload as { t: number }).t);
        lastDone = now;
        if (latencies.length === jobs) {
          resolveAll();
        }
      },
    },
  });
  const first = performance.timeOrigin + performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: ENQUEUERS }, async () => {
      while (next < jobs) {
        next++;
        await pool.query(`select "${BENCH_QUEUE_SCHEMA}".add_job('noop', $1::json)`, [
          JSON.stringify({ t: performance.timeOrigin + performance.now() }),
        ]);
      }
    }),
  );
  await Promise.race([
    allDone,
    new Promise((_, reject) => setTimeout(() => reject(new Error("queue baseline timed out")), 120_000)),
  ]);
  await runner.stop();
  await pool.end();
  const latency = summarize(latencies);
  return {
    jobs,
    concurrency: QUEUE_BASELINE_CONCURRENCY,
    enqueuers: ENQUEUERS,
    jobsPerSecond: round((jobs / (lastDone - first)) * 1000, 0),
    latency,
  };
}
