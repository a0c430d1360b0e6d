import { describeDefaults, type Health } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
import { catalog } from "./catalog";
import { pool } from "./db";
import { webWorkerStarted } from "./jobs/worker";

/**
 * Waits at most this long for the catalog when the process has none yet:
 * health never hangs on the generator, and stays well under the 2 s a
 * launcher or balancer gives a health check.
 */
const HEALTH_CATALOG_WAIT_MS = 500;

export async function webHealth(): Promise<Health> {
  const known =
    catalog().known() ??
    (await Promise.race([
      catalog()
        .models()
        .catch(() => null),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), HEALTH_CATALOG_WAIT_MS).unref()),
    ]));
  return checkHealth({
    service: "web",
    pool: pool(),
    queue: QUEUE_SCHEMAS.web,
    // A worker that failed to start (or has not yet) is reported, not thrown.
    workerAlive: async () => Boolean((await webWorkerStarted()?.catch(() => undefined))?.alive()),
    // The default models, once this process knows the catalog; the web app serves without it.
    providers: known ? (describeDefaults(known) ?? undefined) : undefined,
  });
}
