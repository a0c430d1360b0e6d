/**
 * Runs once when a Next.js server process starts: the logger and metrics
 * first, then the web app's queue worker (job dispatch), which runs inside
 * every web process, so scaling web processes scales dispatch too.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") {
    return;
  }
  const { initLogger } = await import("@sorami/log");
  // Until the configuration is read (and to report it if it is wrong), lines go out at info.
  const bootstrap = await initLogger({ service: "web" });
  const { env } = await import("./env");
  let e: ReturnType<typeof env>;
  try {
    e = env();
  } catch (error) {
    bootstrap.fatal({ err: error }, "web failed to start");
    throw error;
  }
  await initLogger({ service: "web", level: e.logLevel, secrets: e.secretValues });
  if (e.metricsToken) {
    const { enableMetrics } = await import("@sorami/metrics");
    await enableMetrics({ service: "web" });
  }
  const { installRequestGuard } = await import("./server/http/request-guard");
  installRequestGuard({ trustProxy: e.trustProxy });
  const { startWebWorker } = await import("./server/jobs/worker");
  const { stopOnSignals } = await import("./server/shutdown");
  await startWebWorker();
  stopOnSignals();
  // The catalog, asked for now so the first form and submit need not wait; a generator still starting is asked again later.
  const { catalog } = await import("./server/catalog");
  void catalog()
    .models()
    .catch(() => {});
}
