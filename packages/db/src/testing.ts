import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";
import { runMigrations } from "./migrate";
import { users } from "./schema";
import { TEST_TEMPLATE_DATABASE } from "./test-server";

/** A user row made for a test, shaped as the web app's signed-in user. */
export type TestDbUser = { id: string; name: string; email: string; role: string };

/** A fresh, migrated database on the run's shared server (see test-server.ts), or null outside that run. */
async function databaseOnSharedServer(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const { inject } = await import("vitest");
  const adminUrl = inject("soramiTestPostgres");
  if (!adminUrl) {
    return null;
  }
  const name = `test_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${TEST_TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A cluster of its own, in a temp directory, for a test run without the shared server. */
async function databaseOnOwnServer(): Promise<{ url: string; drop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-db-test-"));
  chmodSync(dir, 0o755); // the postgres OS user must reach its cluster directory
  const server = await startEmbeddedPostgres({ dataDir: dir, password: "test-only-password-not-a-secret" });
  await runMigrations(server.url);
  return {
    url: server.url,
    drop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real, migrated PostgreSQL database for a test file, its own and removed
 * after it: a copy of the migrated template on the run's shared server, or
 * (run outside the unit project) an embedded server of its own.
 */
export async function startTestDatabase(): Promise<
  DbHandle & { url: string; createUser: () => Promise<TestDbUser>; stop: () => Promise<void> }
> {
  const database = (await databaseOnSharedServer()) ?? (await databaseOnOwnServer());
  const handle = createDb(database.url, { max: 20 });
  return {
    ...handle,
    url: database.url,
    /** A new user (a fresh id and e-mail address each call). */
    createUser: async () => {
      const id = randomUUID();
      const user = { id, name: "U", email: `${id}@example.test`, role: "user" };
      await handle.db.insert(users).values({ id, name: user.name, email: user.email });
      return user;
    },
    stop: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

/** Anything that runs a query: a pool, a client. */
type Queryable = { query<R extends object>(text: string): Promise<{ rows: R[] }> };

/**
 * Row count and a digest of the contents of every table of both services'
 * schemas (queue schemas aside: their workers write on their own), in one
 * query: two snapshots are equal exactly when no row was added, changed or
 * removed in between.
 */
export async function snapshotTables(db: Queryable): Promise<Record<string, string>> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select format('%I.%I', table_schema, table_name) as name from information_schema.tables
      where table_schema in ('public', 'generator') and table_type = 'BASE TABLE'
        and table_name not like '__drizzle%' order by 1`,
  );
  const parts = tables.map(
    ({ name }) =>
      `select '${name}' as name, count(*) || ' rows, ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${name} t`,
  );
  const { rows } = await db.query<{ name: string; digest: string }>(parts.join(" union all "));
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}
