import { pool } from "./db";

/**
 * How long SIGTERM waits for running queue tasks (a dispatch, a purge) before
 * the process exits anyway, with a failure status so a supervisor sees the
 * stop was forced. A task cut short runs again: every task is idempotent.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

import { logger } from "@sorami/log";
import { webWorkerStarted } from "./jobs/worker";

/** On SIGTERM/SIGINT: let running queue tasks finish, close the pool, exit. */
export function stopOnSignals(): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger().info({ signal }, "web stopping");
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    const queue = await webWorkerStarted();
    await queue?.stop().catch(() => {});
    await pool()
      .end()
      .catch(() => {});
    clearTimeout(force);
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  // Started by the launcher (npm start), which holds an IPC channel to us: if it dies, so do we, in order.
  process.once("disconnect", () => void stop("launcher gone"));
}
