import { AsyncLocalStorage } from "node:async_hooks";
import { type Logger, logger } from "@sorami/log";

/**
 * The logger of whatever this code runs for: a request (its request id
 * bound) or a queue task (task, job id, attempt bound), found through the
 * async context, so domain functions log with the right ids without a logger
 * passed down to them. Next.js already runs every request inside async
 * contexts of its own; this one costs no more. One store per process, across
 * Next.js's copies of this module.
 */
type LogContext = { logger: Logger; requestId?: string };

const g = globalThis as unknown as { __soramiLogContext?: AsyncLocalStorage<LogContext> };
const store = g.__soramiLogContext ?? new AsyncLocalStorage<LogContext>();
g.__soramiLogContext = store;

/** The current request's or task's logger, else the process's. */
export function log(): Logger {
  return store.getStore()?.logger ?? logger();
}

/** The request id this code runs for (a request's, or the one a task carries), if any. */
export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

export function withLogContext<T>(context: LogContext, run: () => T): T {
  return store.run(context, run);
}
