import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "./embedded";
import { runMigrations } from "./migrate";

/** The migrated database every test database is copied from. */
export const TEST_TEMPLATE_DATABASE = "sorami_template";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared test server's admin URL (its `postgres` database). */
    soramiTestPostgres: string;
  }
}

/**
 * Vitest global setup of the unit tests: one embedded PostgreSQL for the
 * whole run, and one migrated template database. Each test file then gets
 * a database of its own, copied from the template (CREATE DATABASE …
 * TEMPLATE: milliseconds) instead of a cluster of its own (initdb, start and
 * migrations: seconds each, ~30 times a run).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-test-pg-"));
  chmodSync(dir, 0o755); // the postgres OS user must reach its cluster directory
  const server = await startEmbeddedPostgres({ dataDir: dir, password: "test-only-password-not-a-secret" });
  const admin = new URL(server.url);
  admin.pathname = "/postgres";
  const template = new URL(server.url);
  template.pathname = `/${TEST_TEMPLATE_DATABASE}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`create database ${TEST_TEMPLATE_DATABASE}`);
    await runMigrations(template.toString());
    await client.query(`alter database ${TEST_TEMPLATE_DATABASE} is_template true`);
  } finally {
    await client.end();
  }
  project.provide("soramiTestPostgres", admin.toString());
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
