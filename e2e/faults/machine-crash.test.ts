import { describe, expect, it } from "vitest";
import { CRASH_RECOVERY_MAX_MS, MACHINE_CRASH_JOBS, runMachineCrash } from "./machine-crash";

describe("kill -9 of the whole npm start tree, then npm start again", () => {
  it("runs the crashed jobs again within 10 s and completes every job exactly once", async () => {
    const report = await runMachineCrash({ log: (l) => console.log(`[machine crash] ${l}`) });
    expect(report.lockedAtCrash).toBeGreaterThanOrEqual(4);
    expect(report.notExactlyOnce).toEqual([]);
    expect(report.completed).toBe(MACHINE_CRASH_JOBS);
    expect(report.recoveryMs).toBeLessThanOrEqual(CRASH_RECOVERY_MAX_MS);
  }, 600_000);
});
