import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { Logger, runMigrations as migrateQueue } from "graphile-worker";
import pg from "pg";
import { QUEUE_SCHEMAS } from "./queue";

const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../migrations");
const silent = new Logger(() => () => {});

/**
 * Applies the committed drizzle-kit migrations and both services' queue
 * schemas. Safe to run from several processes at once: an advisory lock
 * serialises them.
 *
 * The queue schemas are migrated here, before any worker starts, because a
 * graphile-worker that sees another schema's first migration (its NOTIFY
 * channel is not per-schema) takes it for a breaking change and shuts down.
 */
export async function runMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Any constant works; it only has to be the same in every process.
    await client.query("select pg_advisory_lock(727274001)");
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    for (const schema of Object.values(QUEUE_SCHEMAS)) {
      await migrateQueue({ connectionString: url, schema, logger: silent });
    }
  } finally {
    await client.query("select pg_advisory_unlock(727274001)").catch(() => {});
    await client.end();
  }
}
