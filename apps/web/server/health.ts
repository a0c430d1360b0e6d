import { describeProviders, type Health } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
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
export async function webHealth(): Promise<Health & { serving: boolean }> {
  const { image, video } = env().providers;
  const [own, generator] = await Promise.all([
    checkHealth({
      service: "web",
      pool: pool(),
      queue: QUEUE_SCHEMAS.web,
      // A worker that failed to start (or has not yet) is reported, not thrown.
      workerAlive: async () => Boolean((await webWorkerStarted()?.catch(() => undefined))?.alive()),
      providers: describeProviders(image, video),
    }),
    generatorHealth(),
  ]);
  const serving = own.status === "ok";
  return { ...own, status: serving && generator === "ok" ? "ok" : "degraded", serving, generator };
}
