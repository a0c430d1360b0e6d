import { IDLE_CPU_SHARE, OUTAGE_CONNECTS_PER_SECOND_MAX, type OutageReport } from "./db-outage";
import { CRASH_RECOVERY_MAX_MS, MACHINE_CRASH_JOBS, type MachineCrashReport } from "./machine-crash";

/** The fault suite's whole-stack cases (each on a stack of its own): their scoreboard lines and guarantees. */
export function printWholeStackCases(crash: MachineCrashReport, outage: OutageReport): string {
  return [
    "Whole-stack cases",
    `  kill -9 of npm start's whole tree with ${crash.inFlight} jobs in flight (${crash.lockedAtCrash} running), npm start again:`,
    `    crashed jobs running again after ${(crash.recoveryMs / 1000).toFixed(1)} s (bound ${CRASH_RECOVERY_MAX_MS / 1000} s); completed ${crash.completed}/${crash.inFlight}; not exactly once: ${crash.notExactlyOnce.length}`,
    `  PostgreSQL down ${outage.downSeconds.toFixed(0)} s: CPU ${Object.entries(outage.cpu)
      .map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`)
      .join(
        ", ",
      )} of a core; ${outage.connectsPerSecond.toFixed(2)} connections/s; a job after it completed in ${(outage.recoveryMs / 1000).toFixed(1)} s`,
  ].join("\n");
}

export function wholeStackViolations(crash: MachineCrashReport, outage: OutageReport): string[] {
  const out: string[] = [];
  if (crash.recoveryMs > CRASH_RECOVERY_MAX_MS) {
    out.push(`machine crash recovery ${crash.recoveryMs} ms > ${CRASH_RECOVERY_MAX_MS} ms`);
  }
  if (crash.completed !== MACHINE_CRASH_JOBS || crash.notExactlyOnce.length > 0) {
    out.push(`machine crash: ${crash.notExactlyOnce.join("; ") || `${crash.completed} completed`}`);
  }
  for (const [service, share] of Object.entries(outage.cpu)) {
    if (share >= IDLE_CPU_SHARE) {
      out.push(`${service} used ${(share * 100).toFixed(1)} % of a core while PostgreSQL was down`);
    }
  }
  if (outage.connectsPerSecond >= OUTAGE_CONNECTS_PER_SECOND_MAX) {
    out.push(`${outage.connectsPerSecond.toFixed(2)} connections/s while PostgreSQL was down`);
  }
  return out;
}
