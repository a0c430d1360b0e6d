import { readRunRecord } from "../../scripts/lib/run-record";
import { api, signUp, sql, waitFor } from "../support/client";
import { cleanUp, databaseUrlOf, killTree, type NpmStart, npmStart } from "../support/launcher";

/**
 * A crash of the whole machine, as `npm start` sees it: every process of its
 * tree SIGKILLed at once with jobs in flight, then `npm start` again on the
 * same DATA_DIR. The jobs that were running must run again at once (their
 * dead workers' locks freed at start, not after QUEUE_STALE_SECONDS), and
 * every job must complete exactly once.
 */
export type MachineCrashReport = {
  inFlight: number;
  /** Queue jobs that were locked (running) when the tree died. */
  lockedAtCrash: number;
  /** `npm start` again → every one of those running again (picked up by a new worker) or done. */
  recoveryMs: number;
  completed: number;
  /** Jobs whose files, rows or notifications are not exactly one set. */
  notExactlyOnce: string[];
};

export const MACHINE_CRASH_JOBS = 12;
/**
 * The acceptance bound (an outcome, not a timing of our code): after the
 * whole machine crashed, in-flight jobs run again within 10 s of the restart;
 * before, they waited QUEUE_STALE_SECONDS for dead locks (~62 s).
 */
export const CRASH_RECOVERY_MAX_MS = 10_000;

type Locked = { schema: string; id: string };

export async function runMachineCrash(opts: { log?: (line: string) => void } = {}): Promise<MachineCrashReport> {
  const log = opts.log ?? (() => {});
  // Long enough a render that the 12 jobs are still in flight when the tree dies.
  const env = { LOCAL_PROVIDER_DELAY_MS: "4000" };
  let first: NpmStart | undefined = await npmStart({ env });
  let second: NpmStart | undefined;
  try {
    const db = first.databaseUrl();
    const user = await signUp(first.webUrl, "Crash");
    const ids: string[] = [];
    for (let i = 0; i < MACHINE_CRASH_JOBS; i++) {
      const r = await api(first.webUrl, user.token)("POST", "/api/images/generate", {
        prompt: `machine crash ${i}`,
        size: "256x256",
      });
      if (r.status !== 202) {
        throw new Error(`submit: ${r.status} ${r.text}`);
      }
      ids.push(r.data.job_id);
    }
    const lockedNow = async () =>
      sql<Locked>(
        db,
        `select 'generator_worker' as schema, id::text from generator_worker._private_jobs where locked_by is not null
         union all select 'web_worker', id::text from web_worker._private_jobs where locked_by is not null`,
      );
    // The generator runs GENERATOR_CONCURRENCY (4) at once: wait until they are all taken.
    await waitFor(async () => (await lockedNow()).length >= 4, "jobs running in the generator", 120_000);
    const locked = await lockedNow();
    const pids = [...first.tree()];
    const oldLauncher = first.record()?.launcher;
    await killTree(first.npm.pid ?? 0, pids);
    log(`killed ${pids.length} processes (npm start's whole tree) with ${locked.length} queue jobs running`);
    const dataDir = first.dataDir;
    const ports = { port: first.port, generatorPort: first.generatorPort };
    first = undefined;

    const restarted = Date.now();
    // Watched from the first moment the new run's database answers, while npm start is still starting.
    const dbOfNewRun = async () => {
      const record = readRunRecord(dataDir);
      return record?.postgresPort && record.launcher !== oldLauncher
        ? databaseUrlOf(dataDir, record.postgresPort)
        : null;
    };
    const runningAgain = async () => {
      const url = await dbOfNewRun();
      if (!url) {
        return false;
      }
      for (const job of locked) {
        const [row] = await sql<{ fresh: boolean }>(
          url,
          `select locked_at > to_timestamp($2::double precision / 1000) as fresh from ${job.schema}._private_jobs where id = $1`,
          [job.id, restarted],
        );
        if (row && !row.fresh) {
          return false; // still waiting on a dead worker's lock, or not yet taken again
        }
      }
      return true;
    };
    const [started, recoveryMs] = await Promise.all([
      npmStart({ dataDir, ...ports, env }),
      waitFor(runningAgain, "the crashed jobs to run again", 240_000).then(() => Date.now() - restarted),
    ]);
    second = started;
    const db2 = second.databaseUrl();
    log(`npm start again → the ${locked.length} crashed jobs running again after ${(recoveryMs / 1000).toFixed(1)} s`);

    await waitFor(
      async () => {
        const [r] = await sql<{ n: number }>(
          db2,
          "select count(*)::int n from generations where id = any($1) and status in ('COMPLETED','FAILED','CANCELED')",
          [ids],
        );
        return r?.n === ids.length;
      },
      "every job to end",
      180_000,
    );
    const rows = await sql<{ id: string; status: string; files: number; gen: string; notes: number }>(
      db2,
      `select g.id, g.status,
              (select count(*)::int from media_files m where m.generation_id = g.id) as files,
              (select status from generator.jobs j where j.id = g.id) as gen,
              (select count(*)::int from notifications n where n.metadata->>'job_id' = g.id) as notes
         from generations g where g.id = any($1)`,
      [ids],
    );
    const notExactlyOnce = rows
      .filter((r) => r.status !== "COMPLETED" || r.files !== 1 || r.gen !== "COMPLETED" || r.notes !== 1)
      .map((r) => `${r.id}: ${r.status}, ${r.files} files, generator ${r.gen}, ${r.notes} notifications`);
    log(
      `${rows.filter((r) => r.status === "COMPLETED").length}/${ids.length} completed; not exactly once: ${notExactlyOnce.length ? notExactlyOnce.join("; ") : "none"}`,
    );
    return {
      inFlight: ids.length,
      lockedAtCrash: locked.length,
      recoveryMs,
      completed: rows.filter((r) => r.status === "COMPLETED").length,
      notExactlyOnce,
    };
  } finally {
    await cleanUp(second ?? first);
  }
}
