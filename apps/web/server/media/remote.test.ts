import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage, readObject, type Storage } from "@sorami/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyWebhookEvent } from "../webhooks/apply";
import { fetchRemoteFile, type RemoteFetchOptions } from "./remote";

/**
 * The follow-up task of a `completed` webhook whose files are elsewhere:
 * real PostgreSQL, real files, a real HTTP server standing in for the
 * backend's bucket (on loopback, so it is allowed by host as an operator
 * would with REMOTE_MEDIA_ALLOWED_HOSTS).
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let server: Server;
let base: string;
let host: string;
const storage: Storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-remote-test-")));
const hits = new Map<string, number>();

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("png body")]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("jpeg body, reported as a PNG")]);

beforeAll(async () => {
  t = await startTestDatabase();
  server = createServer((req, res) => {
    const url = req.url ?? "";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url.startsWith("/ok.png")) {
      res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    } else if (url.startsWith("/really-a-jpeg.png")) {
      res.writeHead(200, { "content-type": "image/png" }).end(JPEG);
    } else if (url.startsWith("/expired")) {
      // What S3 answers a presigned URL past its X-Amz-Expires.
      res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code></Error>");
    } else if (url.startsWith("/flaky")) {
      res.writeHead(503).end("busy");
    } else if (url.startsWith("/page.html")) {
      res.writeHead(200, { "content-type": "image/png" }).end("<!doctype html><p>not an image</p>");
    } else if (url.startsWith("/huge")) {
      res.writeHead(200, { "content-type": "image/png", "content-length": String(60 * 1024 * 1024) });
      res.write(PNG);
      // Never finishes: the declared length alone is refused.
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await t?.stop();
});

/** A job completed by a backend whose file is at `url`: its row is pending, its fetch not yet run. */
async function reported(url: string, filePath?: string): Promise<{ jobId: string; fileId: string }> {
  const owner = await t.createUser();
  const jobId = randomUUID();
  await t.db
    .insert(schema.generations)
    .values({ id: jobId, kind: "image", authorId: owner.id, prompt: "p", params: {} });
  await applyWebhookEvent(t.db, "image", `evt-${jobId}`, {
    job_id: jobId,
    status: "completed",
    data: {
      images: [
        {
          ...(filePath ? { file_path: filePath.replace("{job}", jobId) } : {}),
          url,
          format: "PNG",
          size_bytes: 1,
          dimensions: "8x8",
        },
      ],
    },
  });
  const [file] = await t.db.select().from(schema.mediaFiles).where(eq(schema.mediaFiles.generationId, jobId));
  if (file?.state !== "pending") {
    throw new Error("expected a pending file");
  }
  return { jobId, fileId: file.id };
}

const options = (more: Partial<RemoteFetchOptions> = {}): RemoteFetchOptions => ({
  allowHosts: [host],
  attempt: 1,
  maxAttempts: 5,
  signal: AbortSignal.timeout(30_000),
  ...more,
});
const row = async (fileId: string) =>
  (await t.db.select().from(schema.mediaFiles).where(eq(schema.mediaFiles.id, fileId)))[0];

describe("fetching a file a backend reported from elsewhere", () => {
  it("stores its bytes unchanged in the job's folder and marks it stored", async () => {
    const { jobId, fileId } = await reported(`${base}/ok.png?X-Amz-Signature=abc`, "./generated_images/x/image_1.png");
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("stored");
    const file = await row(fileId);
    expect(file).toMatchObject({
      storageKey: `images/${jobId}/remote_1.png`,
      state: "stored",
      sourceUrl: null,
      missingReason: null,
      sizeBytes: PNG.length,
      format: "PNG",
    });
    expect(await readObject(storage, `images/${jobId}/remote_1.png`)).toEqual(PNG);
    // A second run (a redelivered task) has nothing to do.
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("nothing-to-do");
  });

  it("keeps the job's own reported key, with the extension of what the bytes are", async () => {
    const { jobId, fileId } = await reported(`${base}/really-a-jpeg.png`, "images/{job}/image_1.png");
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("stored");
    expect(await row(fileId)).toMatchObject({ storageKey: `images/${jobId}/image_1.jpg`, format: "JPEG" });
    expect(await readObject(storage, `images/${jobId}/image_1.jpg`)).toEqual(JPEG);
  });

  it("does not fetch a file the backend already put in Sorami's own storage (a shared bucket)", async () => {
    const url = `${base}/ok.png?shared=${randomUUID()}`;
    const { jobId, fileId } = await reported(url, "images/{job}/image_1.png");
    await storage.put(`images/${jobId}/image_1.png`, PNG, "image/png");
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("already-stored");
    expect(await row(fileId)).toMatchObject({ state: "stored", storageKey: `images/${jobId}/image_1.png` });
    expect(hits.get(new URL(url).pathname + new URL(url).search)).toBeUndefined();
  });

  it("marks an expired presigned URL (403) missing at once, with the reason", async () => {
    const { fileId } = await reported(`${base}/expired?X-Amz-Expires=1`);
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("missing");
    const file = await row(fileId);
    expect(file).toMatchObject({ state: "missing", sourceUrl: null });
    expect(file?.missingReason).toMatch(/answered HTTP 403/);
  });

  it("refuses what is not an image by its bytes, a declared size over the cap, and a private address not allowed", async () => {
    for (const [url, reason, allowHosts] of [
      [`${base}/page.html`, /did not return a PNG, JPEG, WEBP file/, [host]],
      [`${base}/huge`, /larger than/, [host]],
      [`${base}/ok.png`, /private|loopback|not allowed|refused/i, []],
    ] as const) {
      const { fileId } = await reported(url);
      expect(await fetchRemoteFile(t.db, storage, fileId, options({ allowHosts }))).toBe("missing");
      expect((await row(fileId))?.missingReason, url).toMatch(reason);
    }
  });

  it("leaves a file pending and throws (the queue tries again) while the backend answers 5xx, missing at the last run", async () => {
    const { fileId } = await reported(`${base}/flaky`);
    await expect(fetchRemoteFile(t.db, storage, fileId, options({ attempt: 1 }))).rejects.toThrow(/503/);
    expect((await row(fileId))?.state).toBe("pending");
    expect(await fetchRemoteFile(t.db, storage, fileId, options({ attempt: 5 }))).toBe("missing");
    expect((await row(fileId))?.missingReason).toMatch(/503/);
  });

  it("fetches nothing for a job its owner deleted", async () => {
    const { jobId, fileId } = await reported(`${base}/ok.png?deleted`);
    await t.db.update(schema.generations).set({ deletedAt: new Date() }).where(eq(schema.generations.id, jobId));
    expect(await fetchRemoteFile(t.db, storage, fileId, options())).toBe("nothing-to-do");
    expect(await readObject(storage, `images/${jobId}/remote_1.png`)).toBeNull();
  });
});
