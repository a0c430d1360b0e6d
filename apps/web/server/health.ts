import { describeProviders } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { env } from "../env";
import { pool } from "./db";
import { webWorkerStarted } from "./jobs/worker";

/**
 * The generator is asked with a short timeout: a health check must answer
 * fast even when the generator hangs, and 2 s is far above its normal answer.
 */
export const GENERATOR_HEALTH_TIMEOUT_MS = 2000;

/** "ok", or why not: the web app still serves (galleries, sign-in) while the generator is away. */
async function generatorHealth(): Promise<string> {
  try {
    const res = await fetch(`${env().generatorUrl}/health`, {
      signal: AbortSignal.timeout(GENERATOR_HEALTH_TIMEOUT_MS),
    });
    return res.ok ? "ok" : `degraded (${res.status})`;
  } catch {
    return "unreachable";
  }
}

/**
 * `status` is "ok" only when everything answers; `serving` (the HTTP status:
 * 200 or 503) only on this process's own dependencies, so a load balancer
 * keeps a web process that can serve while the generator restarts.
 */
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
  const [worker, generator] = await Promise.all([webWorkerStarted()?.catch(() => undefined), generatorHealth()]);
  if (queue === "ok" && !worker?.alive()) {
    queue = "worker not running";
  }
  const serving = database === "ok" && queue === "ok";
  const { image, video } = env().providers;
  return {
    status: serving && generator === "ok" ? "ok" : "degraded",
    serving,
    service: "web",
    database,
    queue,
    generator,
    providers: describeProviders(image, video),
  };
}
