import { ensureWebBuilt } from "../../scripts/lib/build";
import { runDatabaseOutage } from "./db-outage";
import { runMachineCrash } from "./machine-crash";
import { printScoreboard, runFaultSuite, violations } from "./suite";
import { printWholeStackCases, wholeStackViolations } from "./whole-stack";

/**
 * `npm run test:faults`: the full fault suite (≥ 50 image and 10 video jobs) and the whole-stack
 * cases (a crash of the whole machine under npm start, PostgreSQL down for 60 s), scoreboard
 * printed and asserted.
 */
await ensureWebBuilt();
const started = Date.now();
const log = (l: string) => console.log(`[faults] ${l}`);
const board = await runFaultSuite({ images: 50, videos: 10, deadlineMs: 240_000, log });
const crash = await runMachineCrash({ log });
const outage = await runDatabaseOutage({ downMs: 60_000, log });
console.log(printScoreboard(board));
console.log(printWholeStackCases(crash, outage));
console.log(`(suite ran ${((Date.now() - started) / 1000).toFixed(0)} s)`);
const failed = [...violations(board), ...wholeStackViolations(crash, outage)];
if (failed.length > 0) {
  console.error(`FAULT SUITE FAILED: ${failed.join("; ")}`);
  process.exit(1);
}
console.log("1 passed, 0 failed");
