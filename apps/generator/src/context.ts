import type { Database } from "@sorami/db";
import type { Storage } from "@sorami/storage";
import type pg from "pg";
import type { GeneratorEnv } from "./env";
import type { Providers } from "./providers/types";

/** What the routes and tasks of this process share. */
export type AppContext = {
  env: GeneratorEnv;
  db: Database;
  pool: pg.Pool;
  storage: Storage;
  providers: Providers;
  /** false when the queue worker is not running (so /health says so). */
  queueAlive: () => boolean;
};
