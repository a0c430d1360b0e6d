import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppError } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Signed links to a job's input image: what a documents backend is sent as
 * `input_image_url` (GENERATOR_API=documents) and fetches with no
 * credentials. Served through the web app's own modules, on a real database
 * and real files.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let dataDir: string;
let serve: typeof import("./serve");
let links: typeof import("./links");
let store: typeof import("../db");

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("input image")]);

beforeAll(async () => {
  t = await startTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-signed-test-"));
  // The web app's env module reads these on first use.
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = t.url;
  process.env.WEB_URL = "https://sorami.example";
  serve = await import("./serve");
  links = await import("./links");
  store = await import("../db");
});
afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A job with a stored input image, as a submit leaves it. */
async function jobWithInput(): Promise<{ id: string; key: string }> {
  const owner = await t.createUser();
  const id = randomUUID();
  const key = `inputs/${id}/input.png`;
  await t.db.insert(schema.generations).values({
    id,
    kind: "image",
    authorId: owner.id,
    prompt: "p",
    params: { input_image_key: key },
  });
  await store.storage().put(key, PNG, "image/png");
  return { id, key };
}

const fetchLink = (url: string) => {
  const u = new URL(url);
  return serve.serveSignedMedia(u.pathname.replace(/^\/api\/media\//, "").split("/"), u.searchParams, null);
};
const refusedWith = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).status;
};

describe("a signed link to a job's input image", () => {
  it("serves its bytes with no session", async () => {
    const { key } = await jobWithInput();
    const response = await fetchLink(links.signedMediaUrl(key));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("is refused when altered (403), expired (403), or when its job is deleted (404)", async () => {
    const { id, key } = await jobWithInput();
    const url = new URL(links.signedMediaUrl(key));
    const other = await jobWithInput();
    // The same signature on another job's input image.
    const moved = new URL(url.href.replace(key, other.key));
    expect(await refusedWith(fetchLink(moved.href))).toBe(403);
    expect(await refusedWith(fetchLink(links.signedMediaUrl(key, 60, Date.now() - 120_000)))).toBe(403);
    await t.db.update(schema.generations).set({ deletedAt: new Date() }).where(eq(schema.generations.id, id));
    expect(await refusedWith(fetchLink(url.href))).toBe(404);
  });

  it("serves nothing but the job's own stored input image", async () => {
    const { id } = await jobWithInput();
    // A key in the job's input folder that is not the one its row names, even signed by this server.
    expect(await refusedWith(fetchLink(links.signedMediaUrl(`inputs/${id}/input.jpg`)))).toBe(404);
    expect(await refusedWith(fetchLink(links.signedMediaUrl(`inputs/${id}/secret.png`)))).toBe(404);
  });
});

describe("a signed link to a job's file", () => {
  /** A completed job with one stored file (and its blurred copy) in the given screening state. */
  async function jobWithFile(moderationState: "clear" | "held" | "pending") {
    const owner = await t.createUser();
    const id = randomUUID();
    const key = `images/${id}/image_1.png`;
    const blurredKey = `images/${id}/image_1_held.webp`;
    await t.db
      .insert(schema.generations)
      .values({ id, kind: "image", authorId: owner.id, prompt: "p", params: {}, status: "COMPLETED" });
    await t.db.insert(schema.mediaFiles).values({
      id: randomUUID(),
      generationId: id,
      index: 0,
      storageKey: key,
      sizeBytes: PNG.length,
      format: "PNG",
      width: 1,
      height: 1,
      moderationState,
      blurredKey,
    });
    await store.storage().put(key, PNG, "image/png");
    await store.storage().put(blurredKey, PNG, "image/webp");
    return { key, blurredKey };
  }

  it("serves a file shown as it is", async () => {
    const { key } = await jobWithFile("clear");
    expect((await fetchLink(links.signedMediaUrl(key))).status).toBe(200);
  });

  it("refuses a held or pending file (403) as its owner's session does: only its blurred copy is served", async () => {
    for (const state of ["held", "pending"] as const) {
      const { key, blurredKey } = await jobWithFile(state);
      expect(await refusedWith(fetchLink(links.signedMediaUrl(key)))).toBe(403);
      expect((await fetchLink(links.signedMediaUrl(blurredKey))).status).toBe(200);
    }
  });
});
