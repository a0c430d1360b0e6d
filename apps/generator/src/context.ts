import type { Database } from "@sorami/db";
import type { Storage } from "@sorami/storage";
import type pg from "pg";
import type { GeneratorEnv } from "./env";
import type { ModelRegistry } from "./providers/registry";

/** What the routes and tasks of this process share. */
export type AppContext = {
  env: GeneratorEnv;
  db: Database;
  pool: pg.Pool;
  storage: Storage;
  models: ModelRegistry;
  /** false when the queue worker is not running (so /health says so). */
  queueAlive: () => boolean;
};
