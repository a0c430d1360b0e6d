import { describeProviders } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { env } from "../env";
import { pool } from "./db";
import { webWorkerStarted } from "./jobs/worker";

export async function checkHealth() {
  let database = "ok";
  let queue = "ok";
  try {
    const { rows } = await pool().query<{ t: string | null }>("select to_regclass($1) as t", [
      `${QUEUE_SCHEMAS.web}._private_jobs`,
    ]);
    if (!rows[0]?.t) {
      queue = "not migrated";
    }
  } catch (error) {
    database = `error: ${(error as Error).message}`;
    queue = "unknown";
  }
  // A worker that failed to start (or has not yet) is reported, not thrown.
  const worker = await webWorkerStarted()?.catch(() => undefined);
  if (queue === "ok" && !worker?.alive()) {
    queue = "worker not running";
  }
  const ok = database === "ok" && queue === "ok";
  const { image, video } = env().providers;
  return {
    status: ok ? "ok" : "degraded",
    service: "web",
    database,
    queue,
    providers: describeProviders(image, video),
  };
}
