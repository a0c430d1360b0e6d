import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";
import { runMigrations } from "./migrate";
import { users } from "./schema";

/** A user row made for a test, shaped as the web app's signed-in user. */
export type TestDbUser = { id: string; name: string; email: string; role: string };

/**
 * A real, migrated PostgreSQL for a test file: embedded, in a temp directory,
 * started for that file and removed after it.
 */
export async function startTestDatabase(): Promise<
  DbHandle & { url: string; createUser: () => Promise<TestDbUser>; stop: () => Promise<void> }
> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-db-test-"));
  chmodSync(dir, 0o755); // the postgres OS user must reach its cluster directory
  const server = await startEmbeddedPostgres({ dataDir: dir, password: "test-only-password-not-a-secret" });
  await runMigrations(server.url);
  const handle = createDb(server.url, { max: 20 });
  return {
    ...handle,
    url: server.url,
    /** A new user (a fresh id and e-mail address each call). */
    createUser: async () => {
      const id = randomUUID();
      const user = { id, name: "U", email: `${id}@example.test`, role: "user" };
      await handle.db.insert(users).values({ id, name: user.name, email: user.email });
      return user;
    },
    stop: async () => {
      await handle.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
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
