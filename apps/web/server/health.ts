import { describeProviders, type Health } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
import { env } from "../env";
import { pool } from "./db";
import { generator } from "./generator-client";
import { webWorkerStarted } from "./jobs/worker";

/**
 * `status` is "ok" only when everything answers, the generator included;
 * `serving` (the HTTP status: 200 or 503) only on this process's own
 * dependencies, so a load balancer keeps a web process that can serve
 * (galleries, sign-in) while the generator restarts.
 */
export async function webHealth(): Promise<{ health: Health; serving: boolean }> {
  const { image, video } = env().providers;
  const [own, generatorState] = await Promise.all([
    checkHealth({
      service: "web",
      pool: pool(),
      queue: QUEUE_SCHEMAS.web,
      // A worker that failed to start (or has not yet) is reported, not thrown.
      workerAlive: async () => Boolean((await webWorkerStarted()?.catch(() => undefined))?.alive()),
      providers: describeProviders(image, video),
    }),
    generator().health(),
  ]);
  const serving = own.status === "ok";
  return {
    serving,
    health: { ...own, status: serving && generatorState === "ok" ? "ok" : "degraded", generator: generatorState },
  };
}
