import { describeProviders, type Health } from "@sorami/contracts";
import { QUEUE_SCHEMAS } from "@sorami/db";
import { checkHealth } from "@sorami/db/health";
import { env } from "../env";
import { pool } from "./db";
import { webWorkerStarted } from "./jobs/worker";

export function webHealth(): Promise<Health> {
  const { image, video } = env().providers;
  return checkHealth({
    service: "web",
    pool: pool(),
    queue: QUEUE_SCHEMAS.web,
    // A worker that failed to start (or has not yet) is reported, not thrown.
    workerAlive: async () => Boolean((await webWorkerStarted()?.catch(() => undefined))?.alive()),
    providers: describeProviders(image, video),
  });
}
