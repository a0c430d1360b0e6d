import { describe, expect, it } from "vitest";
import {
  crashPolicy,
  SUPERVISOR_CRASH_LIMIT,
  SUPERVISOR_CRASH_WINDOW_MS,
  SUPERVISOR_RESTART_BACKOFF,
} from "./supervise";

describe("the launcher's crash policy", () => {
  it("restarts with a growing, capped delay, and gives up after the limit within the window", () => {
    const decide = crashPolicy();
    const decisions = Array.from({ length: SUPERVISOR_CRASH_LIMIT }, (_, i) => decide("generator", 1000 * i));
    const delays = decisions.flatMap((d) => (d.action === "restart" ? [d.delayMs] : []));
    expect(delays.length).toBe(SUPERVISOR_CRASH_LIMIT - 1);
    expect(delays[0]).toBeLessThanOrEqual(SUPERVISOR_RESTART_BACKOFF.firstMs);
    for (const d of delays) {
      expect(d).toBeLessThanOrEqual(SUPERVISOR_RESTART_BACKOFF.maxMs);
    }
    expect(decisions.at(-1)).toEqual({ action: "give-up", crashes: SUPERVISOR_CRASH_LIMIT });
  });

  it("forgets crashes older than the window, and counts each service on its own", () => {
    const decide = crashPolicy();
    for (let i = 0; i < SUPERVISOR_CRASH_LIMIT - 1; i++) {
      decide("web", i);
    }
    expect(decide("generator", 10).action).toBe("restart");
    expect(decide("web", SUPERVISOR_CRASH_WINDOW_MS + 10)).toMatchObject({ action: "restart", crashes: 1 });
  });
});
