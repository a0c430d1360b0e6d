import { decideTransition, JOB_STATUSES, type JobStatus } from "@sorami/contracts";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatorJobs } from "../schema";
import { startTestDatabase } from "../testing";
import { advanceGeneratorJob } from "./generator-jobs";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

let n = 0;
async function jobAt(status: JobStatus, progress: number): Promise<string> {
  const id = `machine-${++n}`;
  await t.db.insert(generatorJobs).values({ id, kind: "image", userId: "u1", request: {}, status, progress });
  return id;
}
const rowOf = async (id: string) => (await t.db.select().from(generatorJobs).where(eq(generatorJobs.id, id)))[0];

describe("advanceGeneratorJob: the generator's jobs follow decideTransition", () => {
  // Every (from, to) pair, with progress that rises, stays and falls: the statement decides as the function does.
  for (const from of JOB_STATUSES) {
    it(`from ${from}`, async () => {
      for (const to of JOB_STATUSES) {
        for (const [current, asked] of [
          [40, 70],
          [40, 40],
          [70, 40],
        ] as const) {
          const id = await jobAt(from, current);
          const row = await advanceGeneratorJob(t.db, id, { status: to, progress: asked });
          const decision = decideTransition({ status: from, progress: current }, { status: to, progress: asked });
          const label = `${from}@${current} → ${to}@${asked}`;
          const stored = await rowOf(id);
          if (decision.apply) {
            expect([stored?.status, stored?.progress], label).toEqual([decision.status, decision.progress]);
            expect(row?.status, label).toBe(decision.status);
          } else {
            expect([stored?.status, stored?.progress], label).toEqual([from, current]);
            // Refused as backwards, the run goes on (null only for a job that ended); refused as terminal, it stops.
            expect(row === null, label).toBe(decision.reason === "terminal");
          }
        }
      }
    });
  }

  it("uses the status's own progress when none is given, and counts a run's attempt even when the stage is behind it", async () => {
    const id = await jobAt("PENDING", 0);
    expect(await advanceGeneratorJob(t.db, id, { status: "INITIALIZING" }, { bumpAttempts: true })).toMatchObject({
      status: "INITIALIZING",
      progress: 25,
      attempts: 1,
    });
    await advanceGeneratorJob(t.db, id, { status: "GENERATING" });
    // A second run of the same job starts at INITIALIZING again: not a move, but a counted attempt.
    expect(await advanceGeneratorJob(t.db, id, { status: "INITIALIZING" }, { bumpAttempts: true })).toMatchObject({
      status: "GENERATING",
      progress: 60,
      attempts: 2,
    });
  });
});
