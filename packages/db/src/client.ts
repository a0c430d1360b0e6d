import { logger } from "@sorami/log";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { GatedClient } from "./gate";
import * as schema from "./schema";

export type Database = NodePgDatabase<typeof schema>;
/** A database or a transaction: query functions take either, first. */
export type Tx = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export type DbHandle = { db: Database; pool: pg.Pool; close: () => Promise<void> };

/**
 * One pool per process. `max` is small by default: a 2-core machine gains
 * nothing from more concurrent queries, and PostgreSQL's own limit (100) is
 * shared by every process and the queue workers.
 */
export const POOL_MAX_DEFAULT = 10;
/** Never wait forever for a connection (a database restarting, a pool exhausted): fail and let the caller retry. */
export const POOL_CONNECT_TIMEOUT_MS = 10_000;

export function createDb(url: string, options: { max?: number; applicationName?: string } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? POOL_MAX_DEFAULT,
    application_name: options.applicationName ?? "sorami",
    connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    // New connections back off while the database is failing (gate.ts): an outage costs one attempt per 10 s.
    Client: GatedClient,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on("error", (error) => logger().error({ err: error }, "database: idle client error"));
  pool.on("connect", (client) =>
    client.on("error", (error) => logger().error({ err: error }, "database: client error")),
  );
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
