import { describe, expect, it } from "vitest";
import { runDatabaseOutage } from "./db-outage";

/**
 * A generous bound on an outcome, not a timing: a process waiting for its
 * database with backoff uses well under 1 % of a core here; one retrying in a
 * tight loop was found at ~70 %.
 */
const IDLE_CPU_SHARE = 0.1;
/**
 * All services together, while the database is down. With backoff each
 * process tries about once per 10 s; without it, ~6 connections a second per
 * process (every queue worker's poll, every LISTEN retry).
 */
const OUTAGE_CONNECTS_PER_SECOND_MAX = 1;

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
