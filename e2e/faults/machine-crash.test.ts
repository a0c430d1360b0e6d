import { describe, expect, it } from "vitest";
import { MACHINE_CRASH_JOBS, runMachineCrash } from "./machine-crash";

/**
 * The acceptance bound (an outcome, not a timing of our code): after
 * the whole machine crashed, in-flight jobs run again within 10 s of the
 * restart; before, they waited QUEUE_STALE_SECONDS for dead locks (~62 s).
 */
const CRASH_RECOVERY_MAX_MS = 10_000;

describe("kill -9 of the whole npm start tree, then npm start again", () => {
  it("runs the crashed jobs again within 10 s and completes every job exactly once", async () => {
    const report = await runMachineCrash({ log: (l) => console.log(`[machine crash] ${l}`) });
    expect(report.lockedAtCrash).toBeGreaterThanOrEqual(4);
    expect(report.recoveryMs).toBeLessThanOrEqual(CRASH_RECOVERY_MAX_MS);
    expect(report.notExactlyOnce).toEqual([]);
    expect(report.completed).toBe(MACHINE_CRASH_JOBS);
  }, 600_000);
});
