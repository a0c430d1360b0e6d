import { describe, expect, it } from "vitest";
import { IDLE_CPU_SHARE, OUTAGE_CONNECTS_PER_SECOND_MAX, runDatabaseOutage } from "./db-outage";

describe("PostgreSQL down for 60 s", () => {
  it("every service waits near idle, and the system works again once it is back", async () => {
    const report = await runDatabaseOutage({ downMs: 60_000, log: (l) => console.log(`[outage] ${l}`) });
    expect(report.downSeconds).toBeGreaterThanOrEqual(60);
    expect(report.connectsPerSecond).toBeLessThan(OUTAGE_CONNECTS_PER_SECOND_MAX);
    for (const [service, share] of Object.entries(report.cpu)) {
      expect(share, `${service} used ${(share * 100).toFixed(1)} % of a core while the database was down`).toBeLessThan(
        IDLE_CPU_SHARE,
      );
    }
  }, 300_000);
});
