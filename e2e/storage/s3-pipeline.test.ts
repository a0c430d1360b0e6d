import { existsSync } from "node:fs";
import path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { S3Storage } from "@sorami/storage/s3";
import { startTestS3, type TestS3 } from "@sorami/storage/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, present, signUp, sql, type TestUser, waitFor } from "../support/client";
import { parseMp4 } from "../support/mp4";
import { type Stack, startStack } from "../support/stack";

/** The whole system with STORAGE=s3 against a local S3-compatible server: the code path real S3 takes. */
let s3: TestS3;
let stack: Stack;
let alice: TestUser;
let bob: TestUser;
const PRESIGN_SECONDS = 120;

beforeAll(async () => {
  s3 = await startTestS3();
  stack = await startStack({
    env: { ...s3.env(), S3_PRESIGN_SECONDS: String(PRESIGN_SECONDS), LOCAL_PROVIDER_DELAY_MS: "0" },
  });
  alice = await signUp(stack.webUrl, "Alice");
  bob = await signUp(stack.webUrl, "Bob");
});
afterAll(async () => {
  await stack?.stop();
  await s3?.stop();
});

async function finish(kind: "images" | "videos", jobId: string) {
  const call = api(stack.webUrl, alice.token);
  return waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${jobId}/status`);
      return ["COMPLETED", "FAILED", "CANCELED"].includes(r.data?.status) ? r.data : null;
    },
    `${kind} job ${jobId}`,
    120_000,
  );
}

/** The object keys S3 really holds under a prefix, asked of S3 directly. */
async function objectsUnder(prefix: string): Promise<string[]> {
  const store = new S3Storage(s3.options());
  const page = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? "").sort();
}

/** A media URL as a user's browser fetches it: the web app's redirect, then S3. */
async function fetchMedia(token: string, url: string | null, headers: Record<string, string> = {}) {
  const redirect = await fetchChecked(`${stack.webUrl}${present(url, "a media URL")}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    redirect: "manual",
  });
  const location = redirect.headers.get("location");
  // Following the redirect as fetch does (it drops the Authorization header on the way to S3).
  const file = location ? await fetch(location, { headers }) : null;
  return {
    redirect,
    location: location ? new URL(location) : null,
    status: file?.status ?? redirect.status,
    type: file?.headers.get("content-type") ?? null,
    contentRange: file?.headers.get("content-range") ?? null,
    bytes: file ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0),
  };
}

const jobIds: string[] = [];

describe("the whole pipeline with STORAGE=s3", () => {
  it("stores an image job's files in the bucket and hands them to their owner by signed redirect", async () => {
    const call = api(stack.webUrl, alice.token);
    const submit = await call("POST", "/api/images/generate", {
      prompt: "a harbour crane at night",
      num_images: 2,
      size: "512x512",
      format: "PNG",
    });
    expect(submit.status).toBe(202);
    const jobId: string = submit.data.job_id;
    jobIds.push(jobId);
    expect((await finish("images", jobId)).status).toBe("COMPLETED");

    const result = await call("GET", `/api/images/${jobId}/result`);
    expect(result.data.images).toHaveLength(2);
    expect(await objectsUnder(`images/${jobId}/`)).toEqual([
      `images/${jobId}/image_1.png`,
      `images/${jobId}/image_1_thumb.webp`,
      `images/${jobId}/image_2.png`,
      `images/${jobId}/image_2_thumb.webp`,
    ]);
    // Nothing went to the local media directory.
    expect(existsSync(path.join(stack.dataDir, "media"))).toBe(false);

    for (const image of result.data.images) {
      const got = await fetchMedia(alice.token, image.url);
      expect(got.redirect.status).toBe(302);
      expect(got.redirect.headers.get("cache-control")).toBe("private, no-store");
      expect(got.location?.origin).toBe(s3.endpoint);
      expect(got.location?.searchParams.get("X-Amz-Expires")).toBe(String(PRESIGN_SECONDS));
      expect(got.location?.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect([got.status, got.type, got.bytes.length]).toEqual([200, "image/png", image.size_bytes]);
      const meta = await sharp(got.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 512, 512]);

      // The owner check stays in front of S3: no redirect for anyone else.
      expect((await fetchMedia(bob.token, image.url)).redirect.status).toBe(404);
      expect((await fetchChecked(`${stack.webUrl}${image.url}`, { redirect: "manual" })).status).toBe(401);
    }
  });

  it("runs a video job with an input image through the bucket; players seek with byte ranges on S3", async () => {
    const call = api(stack.webUrl, alice.token);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#cc6633" } })
      .png()
      .toBuffer();
    const submit = await call("POST", "/api/videos/generate", {
      prompt: "a kite over dunes",
      duration_seconds: 2,
      aspect_ratio: "16:9",
      input_image_base64: png.toString("base64"),
    });
    expect(submit.status).toBe(202);
    const jobId: string = submit.data.job_id;
    jobIds.push(jobId);
    expect((await finish("videos", jobId)).status).toBe("COMPLETED");
    // The input image went through the bucket too: stored once by the web app, read there by the generator.
    expect(await objectsUnder(`inputs/${jobId}/`)).toEqual([`inputs/${jobId}/input.png`]);

    const video = present((await call("GET", `/api/videos/${jobId}/result`)).data.videos[0], "the video");
    const whole = await fetchMedia(alice.token, video.url);
    expect([whole.status, whole.type, whole.bytes.length]).toEqual([200, "video/mp4", video.size_bytes]);
    const mp4 = parseMp4(whole.bytes);
    expect(mp4.codec).toBe("avc1");
    expect(mp4.durationSeconds).toBeCloseTo(2, 1);

    const part = await fetchMedia(alice.token, video.url, { range: "bytes=1000-1999" });
    expect([part.status, part.contentRange]).toEqual([206, `bytes 1000-1999/${video.size_bytes}`]);
    expect(part.bytes.equals(whole.bytes.subarray(1000, 2000))).toBe(true);

    const poster = await fetchMedia(alice.token, video.poster_url);
    expect([poster.status, poster.type]).toEqual([200, "image/jpeg"]);
    expect((await sharp(poster.bytes).metadata()).format).toBe("jpeg");
  });

  it("keeps object keys in the database, never a signed URL", async () => {
    const rows = await sql<{ job: string; key: string; poster: string | null }>(
      stack.databaseUrl,
      "select generation_id as job, storage_key as key, poster_key as poster from media_files where generation_id = any($1)",
      [jobIds],
    );
    expect(rows.map((r) => r.key).sort()).toEqual(
      [`images/${jobIds[0]}/image_1.png`, `images/${jobIds[0]}/image_2.png`, `videos/${jobIds[1]}/video_1.mp4`].sort(),
    );
    // Every text and JSON column of every table, both services' schemas: no signature, no S3 address.
    const columns = await sql<{ schema: string; table: string; column: string }>(
      stack.databaseUrl,
      `select c.table_schema as schema, c.table_name as table, c.column_name as column
         from information_schema.columns c join information_schema.tables t
           on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema in ('public', 'generator') and c.data_type in ('text', 'character varying', 'json', 'jsonb')`,
    );
    expect(columns.length).toBeGreaterThan(20);
    const host = new URL(s3.endpoint).host;
    const leaks: string[] = [];
    for (const { schema, table, column } of columns) {
      const [hit] = await sql<{ n: string }>(
        stack.databaseUrl,
        `select count(*) as n from "${schema}"."${table}" where "${column}"::text ilike '%x-amz-%' or "${column}"::text like $1`,
        [`%${host}%`],
      );
      if (Number(hit?.n) > 0) {
        leaks.push(`${schema}.${table}.${column}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("when S3 is down: an input image that cannot be stored creates no job, and a job that cannot save its files fails with none", async () => {
    const call = api(stack.webUrl, alice.token);
    const before = await sql<{ n: string }>(stack.databaseUrl, "select count(*) as n from generations");
    await s3.stop();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const refused = await call("POST", "/api/videos/generate", {
      prompt: "no bucket",
      duration_seconds: 1,
      input_image_base64: png.toString("base64"),
    });
    expect(refused.status).toBe(500);
    expect(refused.error.code).toBe("internal_error");
    const after = await sql<{ n: string }>(stack.databaseUrl, "select count(*) as n from generations");
    expect(after[0]?.n).toBe(before[0]?.n);

    // Accepted (nothing to store yet), then every run fails at saving: FAILED, no file rows.
    const submit = await call("POST", "/api/images/generate", { prompt: "nowhere to save", size: "256x256" });
    expect(submit.status).toBe(202);
    const final = await finish("images", submit.data.job_id);
    expect(final.status).toBe("FAILED");
    const files = await sql(stack.databaseUrl, "select 1 from media_files where generation_id = $1", [
      submit.data.job_id,
    ]);
    expect(files).toEqual([]);
  });
});
