import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type GeneratedSecrets, loadOrCreateSecrets } from "@sorami/config";
import { startEmbeddedPostgres } from "@sorami/db/embedded";
import { runMigrations } from "@sorami/db/migrate";
import { Logger, runMigrations as migrateQueue } from "graphile-worker";
import pg from "pg";
import { freePort } from "../../e2e/support/stack";
import { type System, startSystem } from "../../scripts/lib/system";

/** The graphile-worker schema of the queue baseline (no-op jobs on the same database). */
export const BENCH_QUEUE_SCHEMA = "bench_worker";

/**
 * The environment every bench stack runs with: the local provider at zero
 * delay, no sign-in rate limit, and per-user quotas far above what the bench
 * submits (so the bench measures the pipeline, not the quota).
 */
export const BENCH_ENV = {
  LOCAL_PROVIDER_DELAY_MS: "0",
  AUTH_RATE_LIMIT: "off",
  USER_SUBMISSIONS_PER_MINUTE: "1000000",
  USER_MAX_ACTIVE_JOBS: "1000000",
  ENVIRONMENT: "bench",
} as const;

const PROFILER = path.join(path.dirname(fileURLToPath(import.meta.url)), "cpu-profile.mjs");

function profileEnv(dir: string) {
  const env = (name: string) => ({
    NODE_OPTIONS: `--import ${pathToFileURL(PROFILER).href}`,
    BENCH_CPU_PROFILE_DIR: path.join(dir, name),
  });
  return { web: env("web"), generator: env("generator") };
}

/** The tests' free-port finder, shared. */
export { freePort };

export type BenchStack = System & {
  secrets: GeneratedSecrets;
  /** A pooled client on the stack's database, for seeding and checks. */
  pool: pg.Pool;
  logs(): string;
};

/**
 * The real system (embedded PostgreSQL, generator, built web app) on a fresh
 * DATA_DIR, started through the same launcher as `npm start`. PostgreSQL is
 * started here rather than by the launcher so that the bench's own tables and
 * the queue baseline's schema exist before any queue worker listens: a
 * graphile-worker that sees another schema being migrated shuts itself down.
 */
export async function startBenchStack(
  log: (line: string) => void,
  options: { profileDir?: string } = {},
): Promise<BenchStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-bench-"));
  // PostgreSQL runs as the `postgres` OS user when we are root: it must reach its cluster below here.
  chmodSync(dataDir, 0o755);
  const secrets = loadOrCreateSecrets(dataDir);
  const database = await startEmbeddedPostgres({ dataDir, password: secrets.databasePassword }).catch((error) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const lines: string[] = [];
  let system: System | undefined;
  let pool: pg.Pool | undefined;
  try {
    await runMigrations(database.url);
    await migrateQueue({
      connectionString: database.url,
      schema: BENCH_QUEUE_SCHEMA,
      logger: new Logger(() => () => {}),
    });
    pool = new pg.Pool({ connectionString: database.url, max: 8, application_name: "sorami-bench" });
    // An idle client's error (the database stopping at the end) must not crash the bench.
    pool.on("error", () => {});
    await pool.query(`create schema if not exists bench;
      create table if not exists bench.floor_events (id text primary key, job_id text not null, body jsonb not null,
        received_at timestamptz not null default now())`);
    system = await startSystem({
      dataDir,
      port: await freePort(),
      generatorPort: await freePort(),
      databaseUrl: database.url,
      build: false,
      env: { ...BENCH_ENV },
      // --profile: each service writes a V8 CPU profile when it stops.
      ...(options.profileDir ? { serviceEnv: profileEnv(options.profileDir) } : {}),
      log: (line) => {
        lines.push(line);
        if (lines.length > 500) {
          lines.shift();
        }
        if (/error|warn/i.test(line)) {
          log(line);
        }
      },
    });
  } catch (error) {
    await system?.stop();
    await pool?.end();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const sys = system;
  const db = pool;
  return {
    ...sys,
    secrets,
    pool: db,
    logs: () => lines.slice(-80).join("\n"),
    stop: async () => {
      await db.end().catch(() => {});
      await sys.stop();
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
