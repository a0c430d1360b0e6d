import { ensureWebBuilt } from "../../scripts/lib/build";
import { printScoreboard, runFaultSuite, violations } from "./suite";

/** `npm run test:faults`: the full fault suite (≥ 50 image and 10 video jobs), scoreboard printed and asserted. */
await ensureWebBuilt();
const started = Date.now();
const board = await runFaultSuite({
  images: 50,
  videos: 10,
  deadlineMs: 240_000,
  log: (l) => console.log(`[faults] ${l}`),
});
console.log(printScoreboard(board));
console.log(`(suite ran ${((Date.now() - started) / 1000).toFixed(0)} s)`);
const failed = violations(board);
if (failed.length > 0) {
  console.error(`FAULT SUITE FAILED: ${failed.join("; ")}`);
  process.exit(1);
}
console.log("1 passed, 0 failed");
