import type { Database } from "@sorami/db";
import type { Storage } from "@sorami/storage";
import type { Runner } from "graphile-worker";
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
  runner: () => Runner | null;
};
