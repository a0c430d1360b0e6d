import { randomUUID } from "node:crypto";
import type { JobStatus } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generations } from "../schema";
import { startTestDatabase } from "../testing";
import { listAdminJobs, ownersOfJobs } from "./admin-jobs";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

async function job(authorId: string, status: JobStatus): Promise<string> {
  const id = randomUUID();
  await t.db.insert(generations).values({ id, kind: "image", authorId, prompt: status, params: {}, status });
  return id;
}

describe("admin job queries", () => {
  it("filters everyone's jobs by one status or several (the list the admin's URL carries)", async () => {
    const [a, b] = [(await t.createUser()).id, (await t.createUser()).id];
    const failed = await job(a, "FAILED");
    const canceled = await job(b, "CANCELED");
    const completed = await job(b, "COMPLETED");
    const ids = async (statuses: JobStatus[]) =>
      (await listAdminJobs(t.db, { statuses }, { limit: 50 })).rows.map((r) => r.id).sort();

    expect(await ids(["FAILED"])).toEqual([failed]);
    expect(await ids(["FAILED", "CANCELED"])).toEqual([failed, canceled].sort());
    expect(await ids([])).toEqual([failed, canceled, completed].sort());
  });

  it("names the owner of each job it is given, and of none when given none", async () => {
    const owner = await t.createUser();
    const [first, second] = [await job(owner.id, "PENDING"), await job(owner.id, "FAILED")];
    const owners = await ownersOfJobs(t.db, [first, second, "not-a-job"]);
    expect([...owners.keys()].sort()).toEqual([first, second].sort());
    expect(owners.get(first)).toMatchObject({ kind: "image", userId: owner.id });
    expect((await ownersOfJobs(t.db, [])).size).toBe(0);
  });
});
