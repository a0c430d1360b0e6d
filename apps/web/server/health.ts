import { describeDefaults, type Health } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
import { catalog } from "./catalog";
import { pool } from "./db";
import { generator } from "./generator-client";
import { webWorkerStarted } from "./jobs/worker";

/**
 * Waits at most this long for the catalog when the process has none yet:
 * health never hangs on the generator, and stays well under the 2 s a
 * launcher or balancer gives a health check.
 */
const HEALTH_CATALOG_WAIT_MS = 500;

/** The catalog this process knows, or what the generator says within HEALTH_CATALOG_WAIT_MS, or null. */
async function knownModels() {
  return (
    catalog().known() ??
    (await Promise.race([
      catalog()
        .models()
        .catch(() => null),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), HEALTH_CATALOG_WAIT_MS).unref()),
    ]))
  );
}

/**
 * `status` is "ok" only when everything answers, the generator included;
 * `serving` (the HTTP status: 200 or 503) only on this process's own
 * dependencies, so a load balancer keeps a web process that can serve
 * (galleries, sign-in) while the generator restarts.
 */
export async function webHealth(): Promise<{ health: Health; serving: boolean }> {
  const [known, generatorState] = await Promise.all([knownModels(), generator().health()]);
  const own = await checkHealth({
    service: "web",
    pool: pool(),
    queue: QUEUE_SCHEMAS.web,
    // A worker that failed to start (or has not yet) is reported, not thrown.
    workerAlive: async () => Boolean((await webWorkerStarted()?.catch(() => undefined))?.alive()),
    // The default models, once this process knows the catalog; the web app serves without it.
    providers: known ? (describeDefaults(known) ?? undefined) : undefined,
  });
  const serving = own.status === "ok";
  return {
    serving,
    health: { ...own, status: serving && generatorState === "ok" ? "ok" : "degraded", generator: generatorState },
  };
}
