import { randomUUID } from "node:crypto";
import { searchTerms } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectionItems, collections, generations } from "../schema";
import { startTestDatabase } from "../testing";
import { starGeneration } from "./favorites";
import type { Cursor } from "./generations";
import { type LibraryScope, scopeOf } from "./scope";
import { type LibraryFilters, type LibraryPageOptions, listLibraryPage } from "./search";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
let owner: LibraryScope;
let other: LibraryScope;
const ids: Record<string, string> = {};
const base = Date.parse("2026-03-01T00:00:00Z");

/** Prompts (and a negative prompt) in several scripts; each job one minute after the previous one. */
const JOBS: { name: string; prompt: string; negative?: string; model?: string; kind?: "image" | "video" }[] = [
  { name: "lighthouse", prompt: "A lighthouse at dusk, waves crashing", model: "model-a" },
  { name: "cat", prompt: "a black cat sleeping on a red sofa", model: "model-b" },
  { name: "catalog", prompt: "product catalog page, studio light", model: "model-a" },
  { name: "ai", prompt: "AI art of a robot", model: "model-b" },
  { name: "rain", prompt: "rain over the mountains", negative: "blurry, cat", model: "model-a" },
  { name: "japanese", prompt: "黒い猫が窓辺で眠っている", model: "model-b", kind: "video" },
  { name: "tokyo", prompt: "東京の夜景、ネオンの光", model: "model-a" },
  { name: "arabic", prompt: "قطة سوداء تنام على الأريكة", model: "model-b" },
  { name: "percent", prompt: "a 100% cotton shirt_design", model: "model-a" },
  { name: "deleted", prompt: "a deleted lighthouse", model: "model-a" },
];

beforeAll(async () => {
  t = await startTestDatabase();
  owner = scopeOf((await t.createUser()).id);
  other = scopeOf((await t.createUser()).id);
  for (const [i, job] of JOBS.entries()) {
    const id = randomUUID();
    ids[job.name] = id;
    await t.db.insert(generations).values({
      id,
      kind: job.kind ?? "image",
      authorId: owner.ownerId,
      prompt: job.prompt,
      params: job.negative ? { negative_prompt: job.negative } : {},
      model: job.model,
      status: i % 2 === 0 ? "COMPLETED" : "FAILED",
      createdAt: new Date(base + i * 60_000),
      deletedAt: job.name === "deleted" ? new Date() : null,
    });
  }
  // Another user's lighthouse: never in the owner's results.
  await t.db.insert(generations).values({
    id: randomUUID(),
    kind: "image",
    authorId: other.ownerId,
    prompt: "lighthouse of someone else",
    params: {},
  });
});
afterAll(async () => t?.stop());

async function names(filters: LibraryFilters, extra: Partial<LibraryPageOptions> = {}): Promise<string[]> {
  const { rows } = await listLibraryPage(t.db, owner, { limit: 100, filters, ...extra });
  const byId = Object.fromEntries(Object.entries(ids).map(([name, id]) => [id, name]));
  return rows.map((r) => byId[r.id] ?? `unknown ${r.id}`);
}
const search = (q: string, filters: LibraryFilters = {}) => names({ terms: searchTerms(q), ...filters });

describe("search", () => {
  it("finds whole words in prompts and negative prompts, case-insensitive, newest first, the owner's alone", async () => {
    expect(await search("LIGHTHOUSE")).toEqual(["lighthouse"]);
    expect(await search("cat")).toEqual(["rain", "catalog", "cat"]);
    expect(await search("blurry")).toEqual(["rain"]);
  });

  it("finds parts of words from three characters, and shorter terms as whole words", async () => {
    expect(await search("ligh")).toEqual(["catalog", "lighthouse"]);
    expect(await search("ousе")).toEqual([]); // a Cyrillic е: no match, and no error
    expect(await search("ai")).toEqual(["ai"]); // not "rain", "mountains"
    expect(await search("ON")).toEqual(["cat"]); // "on a red sofa", not "cotton"
    expect(await search("ca")).toEqual([]);
  });

  it("needs every term, in any order", async () => {
    expect(await search("sofa black")).toEqual(["cat"]);
    expect(await search("cat studio")).toEqual(["catalog"]);
    expect(await search("cat unicorn")).toEqual([]);
  });

  it("finds Japanese without spaces, one character or several, and Arabic words", async () => {
    expect(await search("猫")).toEqual(["japanese"]);
    expect(await search("窓辺")).toEqual(["japanese"]);
    expect(await search("眠っている")).toEqual(["japanese"]);
    expect(await search("夜景")).toEqual(["tokyo"]);
    expect(await search("景夜")).toEqual([]); // the characters in their order
    expect(await search("猫 窓辺")).toEqual(["japanese"]);
    expect(await search("قطة")).toEqual(["arabic"]);
    expect(await search("الأريكة")).toEqual(["arabic"]);
  });

  it("takes %, _ and \\ literally", async () => {
    expect(await search("100%")).toEqual(["percent"]);
    expect(await search("t_d")).toEqual(["percent"]);
    expect(await search("%")).toEqual(["percent"]);
    expect(await search("_")).toEqual(["percent"]);
    expect(await search("\\")).toEqual([]);
    expect(await search("'")).toEqual([]);
    expect(await search("a'b")).toEqual([]);
  });
});

describe("filters", () => {
  it("combine with search: kind, status, model, date range", async () => {
    expect(await search("cat", { model: "model-a" })).toEqual(["rain", "catalog"]);
    expect(await names({ terms: ["cat"] }, { statuses: ["COMPLETED"] })).toEqual(["rain", "catalog"]);
    expect(await names({ terms: ["猫"] }, { kind: "image" })).toEqual([]);
    expect(await names({ terms: ["猫"] }, { kind: "video" })).toEqual(["japanese"]);
    const from = new Date(base + 2 * 60_000);
    const to = new Date(base + 5 * 60_000);
    expect(await names({ from, to })).toEqual(["rain", "ai", "catalog"]);
    expect(await search("cat", { from, to })).toEqual(["rain", "catalog"]);
  });

  it("keep favourites, or leave them out", async () => {
    await starGeneration(t.db, owner, ids.catalog ?? "");
    await starGeneration(t.db, other, ids.cat ?? ""); // another person's star counts for them only
    expect(await search("cat", { favorite: true })).toEqual(["catalog"]);
    expect(await search("cat", { favorite: false })).toEqual(["rain", "cat"]);
  });

  it("keep one collection's generations", async () => {
    const collectionId = randomUUID();
    await t.db.insert(collections).values({ id: collectionId, ownerId: owner.ownerId, name: "cats" });
    await t.db.insert(collectionItems).values([
      { id: randomUUID(), collectionId, generationId: ids.cat ?? "" },
      { id: randomUUID(), collectionId, generationId: ids.tokyo ?? "" },
    ]);
    expect(await names({ collectionId })).toEqual(["tokyo", "cat"]);
    expect(await search("cat", { collectionId, model: "model-b" })).toEqual(["cat"]);
  });
});

describe("paging through a search", () => {
  it("has no gaps and no repeats, even when rows share a creation time", async () => {
    const scope = scopeOf((await t.createUser()).id);
    const at = new Date("2026-04-01T00:00:00Z");
    const expected: string[] = [];
    for (let i = 0; i < 23; i++) {
      const id = randomUUID();
      // Every third one shares its time with the one before: the id breaks the tie.
      const createdAt = new Date(at.getTime() + Math.floor(i / 3) * 1000);
      await t.db.insert(generations).values({
        id,
        kind: "image",
        authorId: scope.ownerId,
        prompt: i % 2 === 0 ? `harbour number ${i}` : `meadow number ${i}`,
        params: {},
        createdAt,
      });
      if (i % 2 === 0) {
        expected.push(id);
      }
    }
    const seen: string[] = [];
    let cursor: Cursor | null = null;
    do {
      const page: Awaited<ReturnType<typeof listLibraryPage>> = await listLibraryPage(t.db, scope, {
        limit: 4,
        cursor,
        filters: { terms: ["harb"] },
      });
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(seen).toHaveLength(12);
  });
});
