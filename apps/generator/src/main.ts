import { createDb } from "@sorami/db";
import { runMigrations } from "@sorami/db/migrate";
import type { QueueRunner } from "@sorami/db/runner";
import { initLogger, logger } from "@sorami/log";
import { enableMetrics } from "@sorami/metrics";
import { defaultMlEngine } from "@sorami/ml/engine";
import { createStorage } from "@sorami/storage";
import type { AppContext } from "./context";
import { loadEnv } from "./env";
import { buildServer } from "./http/server";
import { listenForCancels } from "./jobs/cancel-listener";
import { startWorker } from "./jobs/worker";
import { engineLoader } from "./providers/engines/setup";
import { createInputImageFetcher } from "./providers/input-image";
import { builtInFactories, createModelRegistry } from "./providers/registry";

/** How long SIGTERM waits for running jobs before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 20_000;
/**
 * Connections beyond one per concurrent job: HTTP handlers (submits, job
 * reads, health), graphile-worker's job fetches and completions, and the
 * queue-health heartbeat. Cancels LISTEN on a connection of their own.
 */
const POOL_EXTRA_CONNECTIONS = 6;

async function main(): Promise<void> {
  // Until the configuration is read (and to report it if it is wrong), lines go out at info.
  await initLogger({ service: "generator" });
  const env = loadEnv();
  await initLogger({ service: "generator", level: env.logLevel, secrets: env.secretValues });
  if (env.metricsToken) {
    await enableMetrics({ service: "generator" });
  }
  // Before anything else: a catalog file with a mistake or a default that is not active stops the start, saying where.
  const engines = engineLoader(env.engineVariables);
  const catalog = await env.loadCatalog(engines.entries);
  const models = createModelRegistry(catalog, builtInFactories(env, catalog, engines.factories));
  for (const warning of engines.warnings) {
    logger().warn(warning);
  }
  await runMigrations(env.databaseUrl);
  const { db, pool, close } = createDb(env.databaseUrl, {
    max: env.concurrency + POOL_EXTRA_CONNECTIONS,
    applicationName: "sorami-generator",
  });
  const storage = createStorage(env.storage);
  // A bucket that cannot be reached would fail every job at its last step: refuse to start instead.
  await storage.check?.();
  let queue: QueueRunner | null = null;
  let stopping = false;
  const ctx: AppContext = {
    env,
    db,
    pool,
    storage,
    models,
    queueAlive: () => queue?.alive() ?? false,
  };

  const server = buildServer(ctx);
  queue = await startWorker(pool, {
    db,
    storage,
    models,
    fetchInputImage: createInputImageFetcher(env.inputImageAllowedHosts),
    webUrl: env.webUrl,
    environment: env.environment,
    concurrency: env.concurrency,
    webhookSecrets: env.webhookSecrets,
    sendLegacySecret: env.sendLegacySecret,
    staleAfterMs: env.queueStaleAfterMs,
    webhookRetrySchedule: env.webhookRetrySchedule,
  });
  const cancels = listenForCancels(env.databaseUrl);
  await server.listen({ port: env.port, host: env.host });
  const active = models.entries.map((e) => (models.defaults[e.kind] === e.id ? `${e.id} (default)` : e.id));
  logger().info(
    {
      url: `http://${env.host}:${env.port}`,
      models: active,
      storage: env.storage.kind,
      metrics: Boolean(env.metricsToken),
    },
    "generator listening",
  );
  const inactive = new Map<string, string[]>();
  for (const { id, reason } of catalog.inactive) {
    inactive.set(reason, [...(inactive.get(reason) ?? []), id]);
  }
  for (const [reason, ids] of inactive) {
    logger().info({ reason, models: ids }, "models not active");
  }

  const shutdown = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger().info(
      { signal, grace_seconds: SHUTDOWN_GRACE_MS / 1000 },
      "generator stopping; running jobs get the grace period",
    );
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await server.close().catch(() => {});
    await queue?.stop().catch(() => {});
    await cancels.stop();
    // The screening model's worker thread, if it was started (it idles out on its own otherwise).
    await defaultMlEngine()
      .stop()
      .catch(() => {});
    await close().catch(() => {});
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // Started by the launcher (npm start), which holds an IPC channel to us: if it dies, so do we, in order.
  process.once("disconnect", () => void shutdown("launcher gone"));
}

main().catch((error) => {
  logger().fatal({ err: error }, "generator failed to start");
  process.exit(1);
});
