/**
 * Runs once when a Next.js server process starts: the web app's queue
 * worker (job dispatch) runs inside every web process, so scaling web
 * processes scales dispatch too.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") {
    return;
  }
  const { env } = await import("./env");
  const { installRequestGuard } = await import("./server/http/request-guard");
  installRequestGuard({ trustProxy: env().trustProxy });
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
