import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";
import { runMigrations } from "./migrate";

/**
 * A real, migrated PostgreSQL for a test file: embedded, in a temp directory,
 * started for that file and removed after it.
 */
export async function startTestDatabase(): Promise<DbHandle & { url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-db-test-"));
  chmodSync(dir, 0o755); // the postgres OS user must reach its cluster directory
  const server = await startEmbeddedPostgres({ dataDir: dir, password: "test-only-password-not-a-secret" });
  await runMigrations(server.url);
  const handle = createDb(server.url, { max: 20 });
  return {
    ...handle,
    url: server.url,
    stop: async () => {
      await handle.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
