import { randomUUID } from "node:crypto";
import {
  BUILT_IN_MODELS,
  INPUT_IMAGE_MAX_BYTES,
  LOCAL_VIDEO_MODEL,
  VIDEO_DIMENSIONS,
  type VideoAspectRatio,
  type VideoCatalogEntry,
} from "@sorami/contracts";
import { signWebhook } from "@sorami/contracts/signature";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, present, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { parseMp4 } from "../support/mp4";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let ann: TestUser;
let ben: TestUser;

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  ann = await signUp(stack.webUrl, "Ann");
  ben = await signUp(stack.webUrl, "Ben");
});
afterAll(async () => stack?.stop());

const count = async (table: string) =>
  Number((await sql<{ n: string }>(stack.databaseUrl, `select count(*) n from ${table}`))[0]?.n);

async function finish(token: string, jobId: string) {
  const call = api(stack.webUrl, token);
  return waitFor(
    async () => {
      const r = await call("GET", `/api/videos/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data?.status) ? r.data : null;
    },
    `video ${jobId}`,
    120_000,
  );
}

async function download(token: string, url: string | null) {
  const res = await fetchChecked(`${stack.webUrl}${present(url, "a media URL")}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, type: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("video generation through the HTTP API", () => {
  for (const ratio of Object.keys(VIDEO_DIMENSIONS) as VideoAspectRatio[]) {
    it(`makes a real ${ratio} H.264 MP4 with a poster`, async () => {
      const call = api(stack.webUrl, ann.token);
      const submit = await call("POST", "/api/videos/generate", {
        prompt: `a paper boat, ${ratio}`,
        aspect_ratio: ratio,
        duration_seconds: 2,
        number_of_videos: 1,
        person_generation: "DONT_ALLOW",
      });
      expect(submit.status).toBe(202);
      const jobId = submit.data.job_id;
      expect((await finish(ann.token, jobId)).status).toBe("COMPLETED");

      const result = await call("GET", `/api/videos/${jobId}/result`);
      const { width, height } = VIDEO_DIMENSIONS[ratio];
      expect(result.data.videos).toHaveLength(1);
      const video = present(result.data.videos[0], "the video");
      expect(video).toMatchObject({ format: "MP4", width, height, duration_seconds: 2 });

      const file = await download(ann.token, video.url);
      expect([file.status, file.type, file.bytes.length]).toEqual([200, "video/mp4", video.size_bytes]);
      // Players seek with byte ranges.
      const part = await fetchChecked(`${stack.webUrl}${video.url}`, {
        headers: { authorization: `Bearer ${ann.token}`, range: "bytes=100-199" },
      });
      expect([part.status, part.headers.get("content-range")]).toEqual([206, `bytes 100-199/${video.size_bytes}`]);
      expect(Buffer.from(await part.arrayBuffer()).equals(file.bytes.subarray(100, 200))).toBe(true);
      const mp4 = parseMp4(file.bytes);
      expect([mp4.width, mp4.height, mp4.codec]).toEqual([width, height, "avc1"]);
      expect(mp4.durationSeconds).toBeCloseTo(2, 1);

      const poster = await download(ann.token, video.poster_url);
      expect([poster.status, poster.type]).toEqual([200, "image/jpeg"]);
      const meta = await sharp(poster.bytes).metadata();
      expect([meta.width, meta.height]).toEqual([width, height]);
      // Another user sees neither the job nor its files.
      expect((await api(stack.webUrl, ben.token)("GET", `/api/videos/${jobId}/result`)).status).toBe(404);
      expect((await download(ben.token, video.url)).status).toBe(404);
      expect((await download(ben.token, video.poster_url)).status).toBe(404);
    });
  }

  it("lists videos in their own gallery and notifies VIDEO_COMPLETED", async () => {
    const call = api(stack.webUrl, ann.token);
    const videos = await call("GET", "/api/videos/user");
    expect(videos.data.generations.length).toBe(3);
    expect(videos.data.generations.every((g: { kind: string }) => g.kind === "video")).toBe(true);
    const images = await call("GET", "/api/images/user");
    expect(images.data.generations).toHaveLength(0);
    const notes = await call("GET", "/api/notifications");
    expect(notes.data.notifications.filter((n: { type: string }) => n.type === "VIDEO_COMPLETED")).toHaveLength(3);
  });

  it("uses an input image, checked by its bytes, never by its declared type", async () => {
    const call = api(stack.webUrl, ann.token);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3366cc" } })
      .png()
      .toBuffer();
    // A PNG declared as JPEG is still a PNG: accepted.
    const ok = await call("POST", "/api/videos/generate", {
      prompt: "from an image",
      duration_seconds: 1,
      input_image_base64: `data:image/jpeg;base64,${png.toString("base64")}`,
    });
    expect(ok.status).toBe(202);
    expect((await finish(ann.token, ok.data.job_id)).status).toBe("COMPLETED");
    const [job] = await sql<{ input_key: string | null }>(
      stack.databaseUrl,
      "select input_key from generator.jobs where id = $1",
      [ok.data.job_id],
    );
    expect(job?.input_key).toMatch(/^inputs\/.+\/input\.png$/);

    const before = await count("generations");
    const text = await call("POST", "/api/videos/generate", {
      prompt: "x",
      input_image_base64: `data:image/png;base64,${Buffer.from("<svg>not an image</svg>").toString("base64")}`,
    });
    expect([text.status, text.error.field]).toEqual([422, "input_image_base64"]);
    const big = Buffer.alloc(INPUT_IMAGE_MAX_BYTES + 1);
    png.copy(big);
    const tooBig = await call("POST", "/api/videos/generate", {
      prompt: "x",
      input_image_base64: big.toString("base64"),
    });
    expect([tooBig.status, tooBig.error.field]).toEqual([413, "input_image_base64"]);
    const both = await call("POST", "/api/videos/generate", {
      prompt: "x",
      input_image_base64: png.toString("base64"),
      input_image_url: "https://example.com/a.png",
    });
    expect([both.status, both.error.field]).toEqual([400, "input_image_url"]);
    expect(await count("generations")).toBe(before);
  });

  it("refuses what the model cannot serve with a 422 naming the field and the allowed values", async () => {
    const call = api(stack.webUrl, ann.token);
    const local = BUILT_IN_MODELS.find((e) => e.id === LOCAL_VIDEO_MODEL) as VideoCatalogEntry;
    const { durations, number_of_videos } = local.capabilities;
    const before = await count("generations");
    const tooLong = await call("POST", "/api/videos/generate", { prompt: "x", duration_seconds: durations.max + 1 });
    expect([tooLong.status, tooLong.error.field]).toEqual([422, "duration_seconds"]);
    expect(tooLong.error.message).toContain(`${durations.min}-${durations.max}`);
    const tooMany = await call("POST", "/api/videos/generate", {
      prompt: "x",
      number_of_videos: number_of_videos.max + 1,
    });
    expect([tooMany.status, tooMany.error.field]).toEqual([422, "number_of_videos"]);
    const badRatio = await call("POST", "/api/videos/generate", { prompt: "x", aspect_ratio: "4:3" });
    expect([badRatio.status, badRatio.error.field]).toEqual([400, "aspect_ratio"]);
    expect(badRatio.error.message).toContain("16:9, 9:16, 1:1");
    const badMode = await call("POST", "/api/videos/generate", { prompt: "x", person_generation: "EVERYONE" });
    expect([badMode.status, badMode.error.field]).toEqual([400, "person_generation"]);
    expect(await count("generations")).toBe(before);
  });

  it("keeps image and video ids apart: an image job is not found as a video", async () => {
    const image = await api(stack.webUrl, ann.token)("POST", "/api/images/generate", {
      prompt: "still",
      size: "256x256",
    });
    expect((await api(stack.webUrl, ann.token)("GET", `/api/videos/${image.data.job_id}/status`)).status).toBe(404);
  });
});

describe("POST /api/webhooks/video-completion", () => {
  async function pendingVideo(owner: TestUser): Promise<string> {
    const id = randomUUID();
    await sql(
      stack.databaseUrl,
      "insert into generations (id, kind, author_id, prompt, params, status) values ($1, 'video', $2, 'waves', '{}', 'PENDING')",
      [id, owner.id],
    );
    return id;
  }
  const completed = (jobId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      job_id: jobId,
      status: "completed",
      timestamp: new Date().toISOString(),
      data: {
        job_id: jobId,
        videos: [
          {
            file_path: `videos/${jobId}/video_1.mp4`,
            url: "http://localhost:9006/x.mp4",
            format: "MP4",
            size_bytes: 1000,
            duration_seconds: 8,
            dimensions: "1280x720",
          },
        ],
        metadata: { model_name: "veo-2.0-generate-001", generation_time_seconds: 95 },
      },
      ...extra,
    });
  const send = async (body: string, signed = true) => {
    const id = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    const secret = secretsOf(stack.dataDir).webhookSecret;
    return api(stack.webUrl)("POST", "/api/webhooks/video-completion", body, {
      "content-type": "application/json",
      ...(signed
        ? { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signWebhook(secret, id, ts, body) }
        : {}),
    });
  };
  const files = async (id: string) =>
    sql<{ duration_seconds: number }>(
      stack.databaseUrl,
      "select duration_seconds from media_files where generation_id = $1",
      [id],
    );

  it("refuses an unsigned delivery", async () => {
    const id = await pendingVideo(ann);
    expect((await send(completed(id), false)).status).toBe(401);
    expect(await files(id)).toHaveLength(0);
  });

  it("applies ten concurrent copies once, storing the video's duration", async () => {
    const id = await pendingVideo(ann);
    const body = completed(id);
    const secret = secretsOf(stack.dataDir).webhookSecret;
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      "content-type": "application/json",
      "webhook-id": "msg_dup_video",
      "webhook-timestamp": String(ts),
      "webhook-signature": signWebhook(secret, "msg_dup_video", ts, body),
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api(stack.webUrl)("POST", "/api/webhooks/video-completion", body, headers).then((r) => r.data),
      ),
    );
    expect(results.filter((r) => r.videos_count === 1)).toHaveLength(1);
    expect(await files(id)).toEqual([{ duration_seconds: 8 }]);
  });

  it("ignores a late progress event after completion, and refuses an unknown job or a missing video list", async () => {
    const id = await pendingVideo(ann);
    expect((await send(completed(id))).status).toBe(200);
    const late = await send(
      JSON.stringify({ job_id: id, status: "generating", progress: 60, timestamp: new Date().toISOString() }),
    );
    expect(late.status).toBe(200);
    expect((await api(stack.webUrl, ann.token)("GET", `/api/videos/${id}/status`)).data.status).toBe("COMPLETED");
    expect((await send(completed(randomUUID()))).status).toBe(404);
    const other = await pendingVideo(ann);
    const noVideos = await send(
      JSON.stringify({ job_id: other, status: "completed", timestamp: new Date().toISOString(), data: { images: [] } }),
    );
    expect([noVideos.status, noVideos.error.field]).toEqual([400, "data.videos"]);
  });
});
