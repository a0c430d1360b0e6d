import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  FILE_KEY_MAX_LENGTH,
  GENERATION_TIME_MAX_SECONDS,
  type JobKind,
  PG_INTEGER_MAX,
  PROGRESS_MAX,
  VIDEO_FILE_DURATION_MAX_SECONDS,
  WEBHOOK_BODY_MAX_BYTES,
  WEBHOOK_ID_MAX_LENGTH,
  WEBHOOK_PAYLOAD_SCHEMAS,
} from "@sorami/contracts";
import { newWebhookId, signWebhook } from "@sorami/contracts/signature";
import { hostile, noise, toJsonText, validArbitrary } from "@sorami/contracts/testing";
import { schema } from "@sorami/db";
import { snapshotTables, startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The webhook receiver over a real database: whatever a signed body holds,
 * the answer is a 2xx or a 4xx naming the field, never a 5xx, and a refused
 * delivery writes nothing. Values the contract once let through to a column
 * that cannot hold them (a fractional progress, int4 milliseconds, a float4
 * duration, an 8 KiB indexed id) are the named cases; the property sweeps
 * the rest of the payload.
 */
const SECRET = "receive-test-secret-0123456789abcdef";
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let dataDir: string;
let post: (kind: JobKind, body: string, id?: string) => Promise<Response>;
let owner: string;

beforeAll(async () => {
  t = await startTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-receive-test-"));
  // The web app's env module reads these on first use.
  process.env.DATABASE_URL = t.url;
  process.env.DATA_DIR = dataDir;
  process.env.WEBHOOK_SECRET = SECRET;
  const { receiveWebhook } = await import("./receive");
  const { withErrors } = await import("../http/handler");
  // What the route files export: the receiver behind the one error mapping.
  const routes = {
    image: withErrors(({ req }) => receiveWebhook(req, "image"), { maxBodyBytes: WEBHOOK_BODY_MAX_BYTES }),
    video: withErrors(({ req }) => receiveWebhook(req, "video"), { maxBodyBytes: WEBHOOK_BODY_MAX_BYTES }),
  };
  post = (kind, body, id = newWebhookId()) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const req = new Request(`http://localhost/api/webhooks/${kind}-completion`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(SECRET, id, timestamp, body),
      },
      body,
    });
    return routes[kind](req, { params: Promise.resolve({}) });
  };
  owner = (await t.createUser()).id;
});
afterAll(async () => {
  const { pool } = await import("../db");
  await pool().end();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pendingJob(kind: JobKind, createdAt = new Date()): Promise<string> {
  const id = randomUUID();
  await t.db.insert(schema.generations).values({ id, kind, authorId: owner, prompt: "a cat", params: {}, createdAt });
  return id;
}

const image = (jobId: string, extra: Record<string, unknown> = {}) => ({
  file_path: `images/${jobId}/image_1.png`,
  format: "PNG",
  size_bytes: 1000,
  dimensions: "512x512",
  ...extra,
});
const video = (jobId: string, extra: Record<string, unknown> = {}) => ({
  file_path: `videos/${jobId}/video_1.mp4`,
  format: "MP4",
  size_bytes: 1000,
  duration_seconds: 8,
  dimensions: "1280x720",
  ...extra,
});

/** Sends one signed delivery and checks the one answer a refusal may be: a 400 naming `field`, nothing written. */
async function expectRefused(kind: JobKind, body: unknown, field: string, id?: string) {
  const before = await snapshotTables(t.pool);
  const res = await post(kind, JSON.stringify(body), id);
  const answer = await res.json();
  expect(res.status, JSON.stringify(answer)).toBe(400);
  expect(answer.error.field).toBe(field);
  expect(await snapshotTables(t.pool)).toEqual(before);
}

describe("values a column cannot hold", () => {
  it("a fractional progress is refused (generations.progress is an integer)", async () => {
    const job = await pendingJob("image");
    await expectRefused("image", { job_id: job, status: "generating", progress: 62.5 }, "progress");
  });

  it("a generation time beyond int4 milliseconds is refused", async () => {
    const job = await pendingJob("image");
    const body = {
      job_id: job,
      status: "completed",
      data: { images: [image(job)], metadata: { generation_time_seconds: 3e6 } },
    };
    await expectRefused("image", body, "data.metadata.generation_time_seconds");
  });

  it("a video length float4 cannot hold is refused, too large or too small", async () => {
    for (const duration of [1e39, 1e-46]) {
      const job = await pendingJob("video");
      const body = { job_id: job, status: "completed", data: { videos: [video(job, { duration_seconds: duration })] } };
      await expectRefused("video", body, "data.videos.0.duration_seconds");
    }
  });

  it("an 8 KiB webhook-id is refused (it is webhook_events' primary key)", async () => {
    const job = await pendingJob("image");
    // Printable ASCII noise: a repetitive id would compress enough to fit the index.
    const id = noise(8192, 0x21, 94);
    await expectRefused("image", { job_id: job, status: "generating", progress: 60 }, "webhook-id", id);
  });

  it("a storage key past the index's bytes is refused (900 CJK characters: 2700 bytes)", async () => {
    const job = await pendingJob("image");
    const key = `images/${job}/${"日".repeat(900)}`;
    const body = { job_id: job, status: "completed", data: { images: [image(job, { file_path: key })] } };
    await expectRefused("image", body, "data.images.0.file_path");
  });

  it("a job that ends after more than int4 milliseconds (~24.8 days) records the longest time the column holds", async () => {
    const job = await pendingJob("image", new Date(Date.now() - 30 * 24 * 3600 * 1000));
    const res = await post("image", JSON.stringify({ job_id: job, status: "failed", error_message: "late" }));
    expect(res.status, await res.text()).toBe(200);
    const [g] = await t.db.select().from(schema.generations).where(eq(schema.generations.id, job));
    expect(g?.processingTimeMs).toBe(PG_INTEGER_MAX);
  });

  it("the largest values that fit are stored as sent", async () => {
    const job = await pendingJob("video");
    const key = `videos/${job}/${"v".repeat(FILE_KEY_MAX_LENGTH - `videos/${job}/`.length)}`;
    const progress = await post("video", JSON.stringify({ job_id: job, status: "generating", progress: PROGRESS_MAX }));
    expect(progress.status, await progress.text()).toBe(200);
    const body = {
      job_id: job,
      status: "completed",
      data: {
        videos: [video(job, { file_path: key, duration_seconds: VIDEO_FILE_DURATION_MAX_SECONDS })],
        metadata: { generation_time_seconds: GENERATION_TIME_MAX_SECONDS },
      },
    };
    const res = await post("video", JSON.stringify(body), "i".repeat(WEBHOOK_ID_MAX_LENGTH));
    expect(res.status, await res.text()).toBe(200);
    const [g] = await t.db.select().from(schema.generations).where(eq(schema.generations.id, job));
    const [file] = await t.db.select().from(schema.mediaFiles).where(eq(schema.mediaFiles.generationId, job));
    expect(g?.processingTimeMs).toBe(GENERATION_TIME_MAX_SECONDS * 1000);
    expect(file?.storageKey).toBe(key);
    expect(file?.durationSeconds).toBe(VIDEO_FILE_DURATION_MAX_SECONDS);
  });
});

describe("any signed delivery (property)", () => {
  /** Runs per receiver: enough to hit every field's edges several times, in seconds. */
  const RUNS = 150;
  const seed = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);

  it.each(["image", "video"] as const)("%s: a 2xx, or a 4xx naming the field that wrote nothing", async (kind) => {
    const jobs = await Promise.all(Array.from({ length: 8 }, () => pendingJob(kind)));
    const bodies = hostile(
      validArbitrary(WEBHOOK_PAYLOAD_SCHEMAS[kind], {
        // Mostly the fixture's unfinished jobs, so deliveries reach the writes; sometimes a job it never heard of.
        job_id: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...jobs) }, fc.uuid()),
        user_id: fc.constantFrom(undefined, owner, "someone-else"),
      }),
    );
    const details = await fc.check(
      fc.asyncProperty(bodies, async (body) => {
        const before = await snapshotTables(t.pool);
        const res = await post(kind, toJsonText(body));
        const text = await res.text();
        if (res.status >= 500) {
          throw new Error(`${res.status}: ${text}`);
        }
        if (res.status >= 400) {
          const answer = JSON.parse(text);
          expect(typeof answer.error?.code, text).toBe("string");
          expect(typeof answer.error?.message, text).toBe("string");
          expect(await snapshotTables(t.pool), `a refused delivery (${text}) changed rows`).toEqual(before);
        }
      }),
      { seed, numRuns: RUNS },
    );
    expect(details.failed, `${fc.defaultReportMessage(details)}\n(rerun with PROPERTY_SEED=${seed})`).toBe(false);
  });
});
