import type { ChildProcess } from "node:child_process";
import { type Backoff, backoffDelay } from "@sorami/db/backoff";
import type { Logger } from "@sorami/log";

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

type Relaunch = () => { restarting: Promise<void>; child: ChildProcess | undefined } | null;

/**
 * A service exited without the launcher asking. Exit code 0 means someone
 * stopped it on purpose (a SIGTERM sent to it): the launcher is told, and
 * `npm start` stops the whole stack. Anything else is a crash: restarted
 * after the policy's delay (`relaunch` returns null when the system is
 * stopping by then), or given up on loudly.
 */
export function onUnexpectedExit(
  e: {
    id: string;
    code: number | null;
    signal: NodeJS.Signals | null;
    decide: ReturnType<typeof crashPolicy>;
    log: Logger;
    onGiveUp?: (id: string) => void;
    onServiceStopped?: (id: string) => void;
  },
  relaunch: Relaunch,
): void {
  const { id, log } = e;
  if (e.code === 0) {
    log.info({ instance: id }, `${id} stopped by itself (exit code 0, e.g. a SIGTERM sent to it)`);
    e.onServiceStopped?.(id);
    return;
  }
  const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
  const decision = e.decide(id);
  if (decision.action === "give-up") {
    log.error(
      { instance: id, crashes: decision.crashes },
      `${id} exited unexpectedly (${how}), its ${decision.crashes}th crash in ${SUPERVISOR_CRASH_WINDOW_MS / 60_000} min: GIVING UP on it`,
    );
    e.onGiveUp?.(id);
    return;
  }
  log.warn(
    { instance: id, crashes: decision.crashes },
    `${id} exited unexpectedly (${how}); restarting it in ${(decision.delayMs / 1000).toFixed(1)} s`,
  );
  setTimeout(() => {
    const began = Date.now();
    const attempt = relaunch();
    attempt?.restarting.then(
      () => log.info({ instance: id }, `${id} restarted, healthy after ${((Date.now() - began) / 1000).toFixed(1)} s`),
      (error: Error) => {
        log.error({ instance: id }, `${id} did not come back: ${error.message.split("\n")[0]}`);
        // Not healthy in time but still running: stopped, so its exit counts as the next crash.
        const child = attempt.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill("SIGKILL");
        }
      },
    );
  }, decision.delayMs).unref();
}
