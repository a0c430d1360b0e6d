import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generations, mediaFiles } from "../schema";
import { startTestDatabase } from "../testing";
import { type Cursor, filesOf, getGenerationForOwner, getOwnedFileByKey, listGenerationsForOwner } from "./generations";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const user = async () => (await t.createUser()).id;

/** `n` jobs, one in three a video; some share a creation time, so the id must break ties. */
async function seed(authorId: string, n: number) {
  const base = Date.parse("2026-01-01T00:00:00Z");
  const rows = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    kind: (i % 3 === 0 ? "video" : "image") as "video" | "image",
    authorId,
    prompt: `job ${i}`,
    params: {},
    createdAt: new Date(base + Math.floor(i / 2) * 1000),
  }));
  await t.db.insert(generations).values(rows);
  return rows;
}

const newestFirst = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe("generation queries", () => {
  it("returns a job to its owner only", async () => {
    const [owner, other] = [await user(), await user()];
    const [job] = await seed(owner, 1);
    expect((await getGenerationForOwner(t.db, owner, job?.id ?? ""))?.prompt).toBe("job 0");
    expect(await getGenerationForOwner(t.db, other, job?.id ?? "")).toBeNull();
  });

  it("pages through a user's jobs newest first, with or without a kind, each job exactly once", async () => {
    const owner = await user();
    const rows = await seed(owner, 23);
    await seed(await user(), 5); // someone else's
    for (const kind of [undefined, "image", "video"] as const) {
      const expected = rows.filter((r) => !kind || r.kind === kind).sort(newestFirst);
      const seen: string[] = [];
      let cursor: Cursor | null = null;
      for (let page = 0; page < 20; page++) {
        const result = await listGenerationsForOwner(t.db, owner, { limit: 4, cursor, kind });
        seen.push(...result.rows.map((r) => r.id));
        cursor = result.next;
        if (!cursor) {
          break;
        }
      }
      expect(seen, `kind ${kind}`).toEqual(expected.map((r) => r.id));
    }
  });

  it("groups files by job, in index order", async () => {
    const owner = await user();
    const [a, b] = await seed(owner, 2);
    const file = (generationId: string, index: number) => ({
      id: randomUUID(),
      generationId,
      index,
      storageKey: `k/${generationId}/${index}`,
      sizeBytes: 1,
      format: "PNG",
      width: 1,
      height: 1,
    });
    await t.db.insert(mediaFiles).values([file(a?.id ?? "", 1), file(b?.id ?? "", 0), file(a?.id ?? "", 0)]);
    const files = await filesOf(t.db, [a?.id ?? "", b?.id ?? "", randomUUID()]);
    expect(files.get(a?.id ?? "")?.map((f) => f.index)).toEqual([0, 1]);
    expect(files.get(b?.id ?? "")?.map((f) => f.index)).toEqual([0]);
    expect(files.size).toBe(2);
  });
});

describe("getOwnedFileByKey: a file is the user's when the job whose folder holds it is", () => {
  it("never hands a file to the owner of another job that lists its key", async () => {
    const [alice, mallory] = [await user(), await user()];
    const [aliceJob] = await seed(alice, 1);
    const [malloryJob] = await seed(mallory, 1);
    const aliceKey = `${aliceJob?.kind}s/${aliceJob?.id}/file_1.png`;
    await t.db.insert(mediaFiles).values([
      {
        id: randomUUID(),
        generationId: aliceJob?.id ?? "",
        index: 0,
        storageKey: aliceKey,
        sizeBytes: 1,
        format: "PNG",
        width: 1,
        height: 1,
      },
      // A row of Mallory's job listing Alice's key as its thumbnail (a forged report, or data from before keys were checked).
      {
        id: randomUUID(),
        generationId: malloryJob?.id ?? "",
        index: 0,
        storageKey: `${malloryJob?.kind}s/${malloryJob?.id}/file_1.png`,
        thumbnailKey: aliceKey,
        sizeBytes: 1,
        format: "PNG",
        width: 1,
        height: 1,
      },
    ]);
    expect((await getOwnedFileByKey(t.db, alice, aliceKey))?.generationId).toBe(aliceJob?.id);
    expect(await getOwnedFileByKey(t.db, mallory, aliceKey)).toBeNull();
    expect(
      (await getOwnedFileByKey(t.db, mallory, `${malloryJob?.kind}s/${malloryJob?.id}/file_1.png`))?.generationId,
    ).toBe(malloryJob?.id);
    // Keys that name no job folder, or a folder of the other kind, are nobody's.
    for (const key of [
      `${aliceKey}/x.webp`,
      `inputs/${aliceJob?.id}/file_1.png`,
      aliceKey.replace(/^(images|videos)/, (f) => (f === "images" ? "videos" : "images")),
    ]) {
      expect(await getOwnedFileByKey(t.db, alice, key), key).toBeNull();
    }
  });
});
