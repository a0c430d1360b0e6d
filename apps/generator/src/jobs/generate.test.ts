import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUILT_IN_MODELS, isWellFormedText } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage, type Storage } from "@sorami/storage";
import { S3Storage } from "@sorami/storage/s3";
import { startTestS3 } from "@sorami/storage/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_RENDER_FAILED_MESSAGE } from "../providers/local";
import { createLocalImageProvider, wrap } from "../providers/local-image";
import { createLocalVideoProvider } from "../providers/local-video";
import { createModelRegistry, type ModelRegistry } from "../providers/registry";
import { type Provider, ProviderError } from "../providers/types";
import { INTERNAL_FAILURE_MESSAGE, MAX_GENERATE_ATTEMPTS, runGenerateJob } from "./generate";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
const root = mkdtempSync(path.join(os.tmpdir(), "sorami-gen-test-"));
const storage = new LocalStorage(root);

beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

/** Stands in for a remote model (a third party) behind the local image entry: fails as scripted, else defers to the local one. */
function scripted(failure: unknown): ModelRegistry {
  const local = createLocalImageProvider(0);
  const image: Provider<"image"> = {
    name: "scripted",
    model: "local-image-v1",
    generate: async (params, ctx) => {
      if (failure) {
        throw failure;
      }
      return local.generate(params, ctx);
    },
  };
  return createModelRegistry(
    {
      entries: BUILT_IN_MODELS.filter((e) => e.provider === "local"),
      defaults: { image: "local-image-v1", video: "local-video-v1" },
    },
    {
      local: async (entry) =>
        entry.kind === "image"
          ? { mode: "sync", provider: image as Provider<"image" | "video"> }
          : { mode: "sync", provider: createLocalVideoProvider(0) as Provider<"image" | "video"> },
    },
  );
}

let n = 0;
async function job(attempts = 0, extra: Record<string, unknown> = {}): Promise<string> {
  const id = `gen-test-${++n}`;
  await t.db.insert(schema.generatorJobs).values({
    id,
    kind: "image",
    userId: "u1",
    attempts,
    request: {
      prompt: "a cat",
      num_images: 1,
      size: "256x256",
      format: "PNG",
      style: "sketch",
      quality: "standard",
      ...extra,
    },
  });
  return id;
}
const run = (id: string, failure: unknown, store: Storage = storage) =>
  runGenerateJob(
    { db: t.db, storage: store, models: scripted(failure), webUrl: "http://127.0.0.1:9", environment: "test" },
    id,
  );
const row = async (id: string) =>
  (await t.db.select().from(schema.generatorJobs).where(eq(schema.generatorJobs.id, id)))[0];
const queued = async (id: string) =>
  (await t.pool.query<{ run_at: Date }>("select run_at from generator_worker.jobs where key = $1", [`generate:${id}`]))
    .rows[0];
const events = async (id: string) =>
  (await t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.jobId, id)))
    .map((d) => d.event)
    .sort();

describe("provider errors", () => {
  it("fails at once, with the provider's readable message, when content is blocked", async () => {
    const id = await job();
    await run(id, new ProviderError("content_blocked", "The prompt was blocked by the model's safety filter"));
    expect(await row(id)).toMatchObject({
      status: "FAILED",
      attempts: 1,
      error: "The prompt was blocked by the model's safety filter",
    });
    expect(await queued(id)).toBeUndefined();
    expect(await events(id)).toEqual(["failed", "generating", "initializing"]);
  });

  it("runs again after the provider's Retry-After on a rate limit", async () => {
    const id = await job();
    const before = Date.now();
    await run(id, new ProviderError("rate_limit", "Too many requests", 90_000));
    expect((await row(id))?.status).toBe("GENERATING");
    const next = await queued(id);
    expect(next?.run_at.getTime()).toBeGreaterThanOrEqual(before + 89_000);
  });

  it("gives up after MAX_GENERATE_ATTEMPTS runs of transient failures", async () => {
    const id = await job(MAX_GENERATE_ATTEMPTS - 1);
    await run(id, new ProviderError("transient", "Upstream 503"));
    expect(await row(id)).toMatchObject({ status: "FAILED", attempts: MAX_GENERATE_ATTEMPTS, error: "Upstream 503" });
  });

  it("completes, storing the files under the job's keys, when the provider answers", async () => {
    const id = await job();
    await run(id, null);
    expect((await row(id))?.status).toBe("COMPLETED");
    expect(await storage.open(`images/${id}/image_1.png`)).not.toBeNull();
    expect(await events(id)).toEqual(["completed", "generating", "initializing", "saving"]);
    // Each file's thumbnail is stored beside it and reported with it.
    const result = (await row(id))?.result;
    const images = result && "images" in result ? result.images : [];
    expect(images.map((i) => i.thumbnail_path)).toEqual([`images/${id}/image_1_thumb.webp`]);
    expect(await storage.open(`images/${id}/image_1_thumb.webp`)).not.toBeNull();
  });

  it("fetches an input_image_url through the safe fetcher: a private address fails the job at once, saying why", async () => {
    const id = await job(0, { input_image_url: "http://169.254.169.254/latest/meta-data/" });
    await run(id, null);
    const failed = await row(id);
    expect([failed?.status, failed?.attempts]).toEqual(["FAILED", 1]);
    expect(failed?.error).toContain("169.254.169.254 (cloud metadata address)");
    expect(await queued(id)).toBeUndefined();
  });
});

describe("storage errors", () => {
  it("never completes a job whose files could not all be stored, and leaves none of them behind", async () => {
    const id = await job(MAX_GENERATE_ATTEMPTS - 1, { num_images: 2 });
    // A real write failure on the second file: a non-empty directory where it must go.
    mkdirSync(path.join(root, `images/${id}/image_2.png`), { recursive: true });
    writeFileSync(path.join(root, `images/${id}/image_2.png/occupied`), "x");
    await run(id, null);
    expect((await row(id))?.status).toBe("FAILED");
    expect(await events(id)).toEqual(["failed", "generating", "initializing", "saving"]);
    expect(existsSync(path.join(root, `images/${id}`))).toBe(false); // image_1 was written, then removed
  });

  it("fails the job, announcing no result, when S3 refuses the upload", async () => {
    const s3 = await startTestS3();
    try {
      const id = await job(MAX_GENERATE_ATTEMPTS - 1);
      await run(id, null, new S3Storage(s3.options({ bucket: "bucket-that-does-not-exist" })));
      expect(await row(id)).toMatchObject({ status: "FAILED", result: null });
      expect(await events(id)).not.toContain("completed");
    } finally {
      await s3.stop();
    }
  });
});

describe("failures decided by the request", () => {
  it("fails a render libvips refuses (a corrupt input image) at the first attempt, with a readable message", async () => {
    const id = await job();
    // A PNG signature and garbage after it: sniffed as a PNG at submit, refused by libvips at render.
    const corrupt = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    await storage.put(`inputs/${id}/input.png`, corrupt);
    await t.db
      .update(schema.generatorJobs)
      .set({ inputKey: `inputs/${id}/input.png` })
      .where(eq(schema.generatorJobs.id, id));
    await run(id, null);
    expect(await row(id)).toMatchObject({ status: "FAILED", attempts: 1, error: LOCAL_RENDER_FAILED_MESSAGE });
    expect(await queued(id)).toBeUndefined();
  });

  it("fails a job whose stored parameters the contract now refuses (a U+FFFF prompt) at once, naming the field", async () => {
    const id = await job(0, { prompt: "a cat \uFFFF" });
    await run(id, null);
    const failed = await row(id);
    expect([failed?.status, failed?.attempts]).toEqual(["FAILED", 1]);
    expect(failed?.error).toBe("The job's parameters are not valid: prompt: must not contain U+FFFF (a noncharacter)");
  });

  it("never shows a library's own message: an unknown error is retried, then fails with a generic reason", async () => {
    const id = await job(MAX_GENERATE_ATTEMPTS - 1);
    await run(id, new Error("vips_foreign_load_svg: glib: XML parse error: Error domain 1 code 9"));
    expect(await row(id)).toMatchObject({ status: "FAILED", error: INTERNAL_FAILURE_MESSAGE });
    const [failed] = await t.db
      .select()
      .from(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.jobId, id))
      .then((rows) => rows.filter((r) => r.event === "failed"));
    expect(failed?.body).not.toContain("XML");
  });
});

describe("the local renderer", () => {
  it("classifies libvips refusing its drawing as the request's fault, not a transient one", async () => {
    const provider = createLocalImageProvider(0);
    const params = {
      prompt: "half a \uFFFF character",
      num_images: 1,
      size: "256x256",
      format: "PNG",
      style: "sketch",
      quality: "standard",
    } as const;
    const error = await provider
      .generate(params, { jobId: "x", attempt: 1, signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: "invalid_request", retryable: false, message: LOCAL_RENDER_FAILED_MESSAGE });
    expect(String((error as ProviderError).cause)).toMatch(/XML parse error/);
  });
});

describe("the local renderer's text", () => {
  it("wraps a prompt into bounded lines, cutting long words without splitting a character", () => {
    expect(wrap("a cat on a mat", 20, 4)).toEqual(["a cat on a mat"]);
    expect(wrap("one two three four five six", 9, 2)).toEqual(["one two", "three…"]);
    for (const prompt of [
      "😀".repeat(4000),
      `${"a".repeat(79)}😀 rest`,
      "👩‍👩‍👧 ".repeat(50),
      "e\\u0301".repeat(300),
    ]) {
      const lines = wrap(prompt, 30, 4);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(4);
      for (const line of lines) {
        expect(line.length).toBeLessThanOrEqual(30);
        expect(isWellFormedText(line)).toBe(true);
      }
    }
  });
});
