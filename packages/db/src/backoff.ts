/**
 * Exponential backoff with a cap and jitter, the one shape every reconnect
 * path uses (database connections, LISTEN clients, queue runners): a blip
 * is retried almost at once, a long outage costs a process one attempt per cap.
 */
export type Backoff = { firstMs: number; maxMs: number };

/**
 * Each wait is up to 20 % shorter, at random: processes that lost the database
 * together (every web and generator process on one PostgreSQL) spread their
 * attempts instead of arriving at once, and no wait exceeds the cap.
 */
export const BACKOFF_JITTER = 0.2;

/** The wait before the next attempt after `failures` (≥ 1) failures in a row. */
export function backoffDelay(failures: number, b: Backoff, random: () => number = Math.random): number {
  const base = Math.min(b.maxMs, b.firstMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(base * (1 - BACKOFF_JITTER * random()));
}
