import { describe, expect, it } from "vitest";
import { printScoreboard, runFaultSuite, violations } from "./suite";

/** The fault suite's short form, inside `npm test`; `npm run test:faults` runs the full batch. */
describe("fault suite (short)", () => {
  it("loses nothing, duplicates nothing and leaves nothing stuck through every fault", async () => {
    const board = await runFaultSuite({ images: 10, videos: 2, deadlineMs: 180_000 });
    console.log(printScoreboard(board));
    expect(violations(board)).toEqual([]);
    expect(board.submitted).toBe(12 + 3); // the batch and one canary per fault
    expect(board.completed).toBeGreaterThan(0);
  }, 400_000);
});
