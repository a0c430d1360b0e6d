import { createDb, type DbHandle } from "@sorami/db";
import { createStorage, type Storage } from "@sorami/storage";
import { env } from "../env";

/**
 * Connections of one web process. Route handlers share them with the web
 * queue worker (WEB_WORKER_CONCURRENCY, 4 by default: each running task
 * holds one), so 12 leaves about 8 for requests; a 2-core machine gains
 * nothing from more concurrent queries, and PostgreSQL's max_connections is
 * shared by every process. The live-events hub LISTENs on a connection of
 * its own, outside this pool.
 */
export const WEB_POOL_MAX = 12;

// One pool and one storage per process, created on first use.
const g = globalThis as unknown as { __soramiDb?: DbHandle; __soramiStorage?: Storage };

export function db() {
  g.__soramiDb ??= createDb(env().databaseUrl, { max: WEB_POOL_MAX, applicationName: "sorami-web" });
  return g.__soramiDb.db;
}

export function pool() {
  db();
  // biome-ignore lint/style/noNonNullAssertion: created by db() just above
  return g.__soramiDb!.pool;
}

export function storage(): Storage {
  g.__soramiStorage ??= createStorage(env().storage);
  return g.__soramiStorage;
}
