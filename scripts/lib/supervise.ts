import { type Backoff, backoffDelay } from "@sorami/db/backoff";

/**
 * When a service exits on its own (a crash, the OOM killer), the launcher
 * starts it again: 1 s after the first crash, twice as long after each
 * further one, at most 30 s (a service that dies at once on start must not
 * restart in a tight loop, and a night's crash is repaired within seconds).
 */
export const SUPERVISOR_RESTART_BACKOFF: Backoff = { firstMs: 1000, maxMs: 30_000 };
/**
 * A service that crashed this many times within the window is given up on:
 * restarting it again would only hide a fault that needs a person (bad
 * configuration, a full disk, a bug on a hot path). Five crashes in five
 * minutes is far beyond what a rare crash or one OOM kill produces.
 */
export const SUPERVISOR_CRASH_LIMIT = 5;
export const SUPERVISOR_CRASH_WINDOW_MS = 5 * 60_000;

export type CrashDecision =
  | { action: "restart"; delayMs: number; crashes: number }
  | { action: "give-up"; crashes: number };

/** Per service instance: its crashes within the window, and what to do about the latest one. */
export function crashPolicy() {
  const history = new Map<string, number[]>();
  return (id: string, now = Date.now()): CrashDecision => {
    const recent = [...(history.get(id) ?? []), now].filter((t) => now - t < SUPERVISOR_CRASH_WINDOW_MS);
    history.set(id, recent);
    if (recent.length >= SUPERVISOR_CRASH_LIMIT) {
      return { action: "give-up", crashes: recent.length };
    }
    return {
      action: "restart",
      delayMs: backoffDelay(recent.length, SUPERVISOR_RESTART_BACKOFF),
      crashes: recent.length,
    };
  };
}
