import type { ActiveProviders, Health } from "@sorami/contracts";
import { logger } from "@sorami/log";
import type pg from "pg";
import type { QueueSchema } from "./queue";

/**
 * One health check for both services: the database answers, the service's
 * queue schema is migrated and its worker runs. What went wrong is logged;
 * the answer only names the state (it is public).
 */
export async function checkHealth(opts: {
  service: Health["service"];
  pool: pg.Pool;
  queue: QueueSchema;
  workerAlive: () => Promise<boolean> | boolean;
  /** The default model of each kind; absent while a web process does not yet know the catalog. */
  providers?: ActiveProviders;
}): Promise<Health> {
  let database: Health["database"] = "ok";
  let queue: Health["queue"] = "ok";
  try {
    const { rows } = await opts.pool.query<{ t: string | null }>("select to_regclass($1) as t", [
      `${opts.queue}._private_jobs`,
    ]);
    if (!rows[0]?.t) {
      queue = "not migrated";
    }
  } catch (error) {
    logger().error({ err: error }, "health: the database did not answer");
    database = "unreachable";
    queue = "unknown";
  }
  if (queue === "ok" && !(await opts.workerAlive())) {
    queue = "worker not running";
  }
  const ok = database === "ok" && queue === "ok";
  return {
    status: ok ? "ok" : "degraded",
    service: opts.service,
    database,
    queue,
    ...(opts.providers ? { providers: opts.providers } : {}),
  };
}
