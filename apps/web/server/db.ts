import { createDb, type DbHandle } from "@sorami/db";
import { createStorage, type Storage } from "@sorami/storage";
import { env } from "../env";

// One pool and one storage per process, created on first use.
const g = globalThis as unknown as { __soramiDb?: DbHandle; __soramiStorage?: Storage };

export function db() {
  g.__soramiDb ??= createDb(env().databaseUrl, { max: 12, applicationName: "sorami-web" });
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
