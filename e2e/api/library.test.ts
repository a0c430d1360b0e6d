import { SHARE_EXPIRY_MAX_SECONDS } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, present, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";
import { unzipEntries } from "../support/zip";

/**
 * The library over HTTP, whole stack: search and filters on real jobs,
 * favourites, collections (and another user's → 404), ZIP downloads checked
 * byte for byte, share links (public page and files without sign-in, nothing
 * private, revoked and expired → 404).
 */
let stack: Stack;
let alice: TestUser;
let bob: TestUser;
const ALICE_NAME = "Alice Quartermaine";

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  alice = await signUp(stack.webUrl, ALICE_NAME);
  bob = await signUp(stack.webUrl, "Bob");
});
afterAll(async () => stack?.stop());

type Kind = "images" | "videos";
type Job = { id: string; files: { id: string; url: string; thumbnail_url: string | null }[]; model: string };

async function generate(user: TestUser, kind: Kind, body: Record<string, unknown>): Promise<Job> {
  const call = api(stack.webUrl, user.token);
  const submit = await call("POST", `/api/${kind}/generate`, body);
  expect(submit.status, submit.text).toBe(202);
  const result = await waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${submit.data.job_id}/result`);
      return ["COMPLETED", "FAILED"].includes(r.data.status) ? r.data : null;
    },
    `${kind} job`,
    120_000,
  );
  expect(result.status).toBe("COMPLETED");
  const files = "images" in result ? result.images : result.videos;
  return { id: submit.data.job_id, files, model: present(result.metadata.model, "the model") };
}

async function bytesOf(url: string, token?: string): Promise<{ status: number; bytes: Buffer; res: Response }> {
  const res = await fetch(`${stack.webUrl}${url}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: "manual",
  });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), res };
}

const ids = (page: { generations: { job_id: string }[] }) => page.generations.map((g) => g.job_id);

describe("the library", () => {
  let lighthouse: Job;
  let pair: Job;
  let japanese: Job;
  let arabic: Job;
  let tide: Job;
  let bobs: Job;

  beforeAll(async () => {
    lighthouse = await generate(alice, "images", { prompt: "A lighthouse at dusk", num_images: 1, size: "256x256" });
    pair = await generate(alice, "images", { prompt: "two red kites over a beach", num_images: 2, size: "256x256" });
    japanese = await generate(alice, "images", { prompt: "黒い猫が窓辺で眠っている", num_images: 1, size: "256x256" });
    arabic = await generate(alice, "images", { prompt: "قطة سوداء تنام على الأريكة", num_images: 1, size: "256x256" });
    tide = await generate(alice, "videos", {
      prompt: "a slow tide at night",
      negative_prompt: "lighthouse",
      duration_seconds: 1,
      aspect_ratio: "1:1",
    });
    bobs = await generate(bob, "images", { prompt: "bob's lighthouse", num_images: 1, size: "256x256" });
  }, 300_000);

  it("searches prompts and negative prompts: words, parts of words, Japanese and Arabic; filters combine", async () => {
    const call = api(stack.webUrl, alice.token);
    const library = async (query: string) => {
      const r = await call("GET", `/api/library?${query}`);
      expect(r.status, r.text).toBe(200);
      return ids(r.data);
    };
    expect(await library("q=lighthouse")).toEqual([tide.id, lighthouse.id]);
    expect(await library("q=LIGHT")).toEqual([tide.id, lighthouse.id]);
    expect(await library("q=ligh&kind=image")).toEqual([lighthouse.id]);
    expect(await library(`q=${encodeURIComponent("猫")}`)).toEqual([japanese.id]);
    expect(await library(`q=${encodeURIComponent("窓辺")}`)).toEqual([japanese.id]);
    expect(await library(`q=${encodeURIComponent("الأريكة")}`)).toEqual([arabic.id]);
    expect(await library("q=kites%20red")).toEqual([pair.id]);
    expect(await library(`q=lighthouse&model=${encodeURIComponent(tide.model)}`)).toEqual([tide.id]);
    // A model this deployment does not know is refused, as on the per-kind galleries (not an empty page).
    const unknown = await call("GET", "/api/library?q=lighthouse&model=no-such-model");
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.text).toContain('"field":"model"');
    expect(await library("q=lighthouse&status=completed&kind=video")).toEqual([tide.id]);
    // The per-kind gallery takes the same filters.
    const images = await call("GET", "/api/images/user?q=lighthouse");
    expect(ids(images.data)).toEqual([lighthouse.id]);

    const [row] = await sql<{ created_at: Date }>(
      stack.databaseUrl,
      "select created_at from generations where id = $1",
      [pair.id],
    );
    const at = (row?.created_at ?? new Date()).toISOString();
    expect(await library(`from=${encodeURIComponent(at)}&kind=image`)).toEqual([arabic.id, japanese.id, pair.id]);
    expect(await library(`to=${encodeURIComponent(at)}`)).toEqual([lighthouse.id]);

    // Paging a search: one per page, no gaps, no repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call<"GET", "/api/library">>> = await call(
        "GET",
        `/api/library?q=a&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...ids(page.data));
      cursor = page.data.next_cursor;
    } while (cursor);
    expect(seen).toEqual(await library("q=a&limit=100"));
    expect(seen.length).toBeGreaterThan(2);

    // Bob's lighthouse is never Alice's, and hers never his.
    expect(ids((await api(stack.webUrl, bob.token)("GET", "/api/library?q=lighthouse")).data)).toEqual([bobs.id]);
  });

  it("refuses filters the database could not hold, naming the field", async () => {
    const call = api(stack.webUrl, alice.token);
    const refused = async (query: string, field: string) => {
      const r = await call("GET", `/api/library?${query}`);
      expect([r.status, r.error.field], `${query}: ${r.text}`).toEqual([400, field]);
    };
    await refused("from=0000-01-01T00:00:00.000Z", "from");
    await refused("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to");
    await refused("favorite=yes", "favorite");
    await refused("collection=../x", "collection");
    await refused(`q=${"a".repeat(201)}`, "q");
    await refused("q=%00", "q");
  });

  it("stars generations and single files; the Favourites filter keeps them; another user's → 404", async () => {
    const call = api(stack.webUrl, alice.token);
    expect((await call("PUT", `/api/favorites/generations/${lighthouse.id}`)).data).toEqual({ favorite: true });
    expect((await call("PUT", `/api/favorites/generations/${lighthouse.id}`)).status).toBe(200);
    const second = pair.files[1]?.id ?? "";
    expect((await call("PUT", `/api/favorites/files/${second}`)).data).toEqual({ favorite: true });
    const starred = (await call("GET", "/api/library?favorite=true")).data;
    expect(ids(starred)).toEqual([pair.id, lighthouse.id]);
    const item = present(starred.generations.find((g) => g.job_id === pair.id));
    expect([item.favorite, item.favorite_file_ids]).toEqual([false, [second]]);
    expect(ids((await call("GET", "/api/library?favorite=false&kind=image")).data)).toEqual([arabic.id, japanese.id]);

    const asBob = api(stack.webUrl, bob.token);
    expect((await asBob("PUT", `/api/favorites/generations/${lighthouse.id}`)).status).toBe(404);
    expect((await asBob("PUT", `/api/favorites/files/${second}`)).status).toBe(404);
    expect((await asBob("DELETE", `/api/favorites/files/${second}`)).status).toBe(404);

    expect((await call("DELETE", `/api/favorites/generations/${lighthouse.id}`)).data).toEqual({ favorite: false });
    expect((await call("DELETE", `/api/favorites/generations/${lighthouse.id}`)).status).toBe(200);
    expect(ids((await call("GET", "/api/library?favorite=true")).data)).toEqual([pair.id]);
  });

  it("keeps collections: create, rename, add generations and single files, counts, filter, delete; another user's → 404", async () => {
    const call = api(stack.webUrl, alice.token);
    const created = await call("POST", "/api/collections", { name: "  Cats  " });
    expect(created.status, created.text).toBe(201);
    const id = created.data.id as string;
    expect([created.data.name, created.data.generation_count, created.data.file_count]).toEqual(["Cats", 0, 0]);
    const renamed = await call("PATCH", `/api/collections/${id}`, { name: "Cats 🐈" });
    expect(renamed.data.name).toBe("Cats 🐈");

    await call("PUT", `/api/collections/${id}/generations/${japanese.id}`);
    await call("PUT", `/api/collections/${id}/generations/${japanese.id}`);
    const withFile = await call("PUT", `/api/collections/${id}/files/${pair.files[0]?.id}`);
    expect([withFile.data.generation_count, withFile.data.file_count]).toEqual([1, 1]);
    // A file may be in several collections.
    const other = (await call("POST", "/api/collections", { name: "Kites" })).data.id as string;
    expect((await call("PUT", `/api/collections/${other}/files/${pair.files[0]?.id}`)).status).toBe(200);
    const list = (await call("GET", "/api/collections")).data.collections;
    expect(list.map((c: { name: string; generation_count: number; file_count: number }) => c.name)).toEqual([
      "Kites",
      "Cats 🐈",
    ]);
    expect(ids((await call("GET", `/api/library?collection=${id}`)).data)).toEqual([japanese.id, pair.id]);

    const asBob = api(stack.webUrl, bob.token);
    expect((await asBob("GET", `/api/collections/${id}`)).status).toBe(404);
    expect((await asBob("PATCH", `/api/collections/${id}`, { name: "mine" })).status).toBe(404);
    expect((await asBob("GET", `/api/library?collection=${id}`)).status).toBe(404);
    expect((await asBob("PUT", `/api/collections/${id}/generations/${bobs.id}`)).status).toBe(404);
    expect((await asBob("GET", `/api/collections/${id}/download`)).status).toBe(404);
    expect((await asBob("DELETE", `/api/collections/${id}`)).status).toBe(404);
    // Nor can Alice put Bob's work in her collection.
    expect((await call("PUT", `/api/collections/${id}/generations/${bobs.id}`)).status).toBe(404);
    expect((await call("PUT", `/api/collections/${id}/files/${bobs.files[0]?.id}`)).status).toBe(404);

    const removed = await call("DELETE", `/api/collections/${id}/files/${pair.files[0]?.id}`);
    expect([removed.data.generation_count, removed.data.file_count]).toEqual([1, 0]);
    expect((await call("DELETE", `/api/collections/${other}`)).status).toBe(204);
    expect((await call("GET", `/api/collections/${other}`)).status).toBe(404);
  });

  it("downloads a generation and a collection as ZIPs whose files are the stored bytes", async () => {
    const call = api(stack.webUrl, alice.token);
    const zip = await bytesOf(`/api/images/${pair.id}/download`, alice.token);
    expect(zip.status).toBe(200);
    expect(zip.res.headers.get("content-type")).toBe("application/zip");
    expect(zip.res.headers.get("content-disposition")).toContain(`sorami-${pair.id.slice(0, 8)}.zip`);
    const entries = await unzipEntries(zip.bytes);
    const prefix = `sorami-${pair.id.slice(0, 8)}/${pair.id.slice(0, 8)}`;
    expect([...entries.keys()]).toEqual([`${prefix}-image_1.png`, `${prefix}-image_2.png`]);
    for (const [i, file] of pair.files.entries()) {
      expect(entries.get(`${prefix}-image_${i + 1}.png`)?.equals((await bytesOf(file.url, alice.token)).bytes)).toBe(
        true,
      );
    }
    expect((await bytesOf(`/api/images/${pair.id}/download`, bob.token)).status).toBe(404);

    const id = (await call("POST", "/api/collections", { name: 'Sea / shore: "best"' })).data.id as string;
    await call("PUT", `/api/collections/${id}/generations/${tide.id}`);
    await call("PUT", `/api/collections/${id}/files/${pair.files[1]?.id}`);
    const packed = await bytesOf(`/api/collections/${id}/download`, alice.token);
    expect(packed.status).toBe(200);
    const files = await unzipEntries(packed.bytes);
    // Newest generation first: the video was made after the pair.
    expect([...files.keys()]).toEqual([
      `Sea _ shore_ _best_/${tide.id.slice(0, 8)}-video_1.mp4`,
      `Sea _ shore_ _best_/${pair.id.slice(0, 8)}-image_2.png`,
    ]);
    expect([...files.values()][0]?.equals((await bytesOf(tide.files[0]?.url ?? "", alice.token)).bytes)).toBe(true);
    expect([...files.values()][1]?.equals((await bytesOf(pair.files[1]?.url ?? "", alice.token)).bytes)).toBe(true);
  });

  it("shares a generation with anyone who has the link: media, prompt and model, nothing private; revoked → 404", async () => {
    const call = api(stack.webUrl, alice.token);
    const made = await call("POST", "/api/shares", { generation_id: pair.id, expires_in_seconds: 3600 });
    expect(made.status, made.text).toBe(201);
    const { token, path } = made.data;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(path).toBe(`/s/${token}`);
    const [stored] = await sql<{ token_hash: string }>(
      stack.databaseUrl,
      "select token_hash from share_links where id = $1",
      [made.data.id],
    );
    expect(stored?.token_hash).not.toContain(token);

    const anyone = api(stack.webUrl);
    const view = await anyone("GET", `/api/s/${token}`);
    expect(view.status, view.text).toBe(200);
    expect(view.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    expect(view.headers.get("referrer-policy")).toBe("no-referrer");
    expect(view.data.generations).toHaveLength(1);
    const shared = present(view.data.generations[0]);
    expect([shared.prompt, shared.model, shared.files.length]).toEqual(["two red kites over a beach", pair.model, 2]);
    const page = await fetch(`${stack.webUrl}${path}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    expect(html).toContain("two red kites over a beach");
    expect(html).toContain('name="robots" content="noindex, nofollow"');
    for (const text of [view.text, html]) {
      for (const secret of [alice.id, alice.email, ALICE_NAME, pair.id, lighthouse.id, japanese.id, tide.id]) {
        expect(text.includes(secret), `the share shows ${secret}`).toBe(false);
      }
    }

    for (const [i, file] of shared.files.entries()) {
      const got = await bytesOf(file.url);
      expect(got.status).toBe(200);
      expect(got.res.headers.get("cache-control")).toBe("no-store");
      expect(got.bytes.equals((await bytesOf(pair.files[i]?.url ?? "", alice.token)).bytes)).toBe(true);
      expect((await bytesOf(present(file.thumbnail_url, "a thumbnail"))).status).toBe(200);
      const download = await bytesOf(file.download_url);
      expect(download.res.headers.get("content-disposition")).not.toContain(pair.id.slice(0, 8));
    }
    // The token shows its generation's files only.
    expect((await bytesOf(`/api/s/${token}/files/${lighthouse.files[0]?.id}`)).status).toBe(404);
    expect((await bytesOf(`/api/s/${token}/files/${pair.files[0]?.id}?variant=poster`)).status).toBe(404);

    const listed = (await call("GET", `/api/shares?generation=${pair.id}`)).data.shares;
    expect(listed.map((s: { id: string }) => s.id)).toEqual([made.data.id]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await api(stack.webUrl, bob.token)("DELETE", `/api/shares/${made.data.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/shares/${made.data.id}`)).status).toBe(204);
    expect((await anyone("GET", `/api/s/${token}`)).status).toBe(404);
    expect((await fetch(`${stack.webUrl}${path}`)).status).toBe(404);
    expect((await bytesOf(present(shared.files[0]).url)).status).toBe(404);
  });

  it("shares a collection: its generations and single files only; expired → 404; refuses what is not the owner's", async () => {
    const call = api(stack.webUrl, alice.token);
    const id = (await call("POST", "/api/collections", { name: "Shared cats" })).data.id as string;
    await call("PUT", `/api/collections/${id}/generations/${japanese.id}`);
    await call("PUT", `/api/collections/${id}/files/${pair.files[1]?.id}`);
    const made = await call("POST", "/api/shares", { collection_id: id, expires_in_seconds: SHARE_EXPIRY_MAX_SECONDS });
    expect(made.status, made.text).toBe(201);
    const view = (await api(stack.webUrl)("GET", `/api/s/${made.data.token}`)).data;
    expect(view.title).toBe("Shared cats");
    expect(view.generations.map((g: { prompt: string; files: unknown[] }) => [g.prompt, g.files.length])).toEqual([
      ["黒い猫が窓辺で眠っている", 1],
      ["two red kites over a beach", 1],
    ]);
    // The single file's sibling is not in the collection.
    expect((await bytesOf(`/api/s/${made.data.token}/files/${pair.files[1]?.id}`)).status).toBe(200);
    expect((await bytesOf(`/api/s/${made.data.token}/files/${pair.files[0]?.id}`)).status).toBe(404);

    await sql(stack.databaseUrl, "update share_links set expires_at = now() - interval '1 second' where id = $1", [
      made.data.id,
    ]);
    expect((await api(stack.webUrl)("GET", `/api/s/${made.data.token}`)).status).toBe(404);
    expect((await fetch(`${stack.webUrl}${made.data.path}`)).status).toBe(404);
    expect((await bytesOf(`/api/s/${made.data.token}/files/${pair.files[1]?.id}`)).status).toBe(404);

    const refused = async (body: Record<string, unknown>, status: number, field: string) => {
      const r = await call("POST", "/api/shares", body);
      expect([r.status, r.error.field], r.text).toEqual([status, field]);
    };
    await refused({ generation_id: bobs.id, expires_in_seconds: null }, 404, "generation_id");
    await refused(
      { collection_id: "00000000-0000-0000-0000-000000000000", expires_in_seconds: null },
      404,
      "collection_id",
    );
    await refused({ generation_id: pair.id, expires_in_seconds: 60 }, 400, "expires_in_seconds");
    await refused({ generation_id: pair.id, collection_id: id, expires_in_seconds: null }, 400, "generation_id");
    expect((await api(stack.webUrl)("GET", `/api/s/${"x".repeat(43)}`)).status).toBe(404);
    expect((await api(stack.webUrl)("GET", "/api/s/short")).status).toBe(404);
  });

  it("removes a deleted generation from collections, favourites and share links", async () => {
    const call = api(stack.webUrl, alice.token);
    const doomed = await generate(alice, "images", { prompt: "soon gone", num_images: 1, size: "256x256" });
    const id = (await call("POST", "/api/collections", { name: "Doomed" })).data.id as string;
    await call("PUT", `/api/collections/${id}/generations/${doomed.id}`);
    await call("PUT", `/api/favorites/generations/${doomed.id}`);
    const share = (await call("POST", "/api/shares", { generation_id: doomed.id, expires_in_seconds: null })).data;
    expect((await call("DELETE", `/api/images/${doomed.id}`)).status).toBe(204);
    expect((await call("GET", `/api/collections/${id}`)).data.generation_count).toBe(0);
    expect(ids((await call("GET", `/api/library?collection=${id}`)).data)).toEqual([]);
    expect((await api(stack.webUrl)("GET", `/api/s/${share.token}`)).status).toBe(404);
    const [left] = await sql<{ n: number }>(
      stack.databaseUrl,
      "select (select count(*) from favorites where generation_id = $1) + (select count(*) from share_links where generation_id = $1) as n",
      [doomed.id],
    );
    expect(Number(left?.n)).toBe(0);
  });
});
