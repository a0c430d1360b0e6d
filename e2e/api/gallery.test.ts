import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { THUMBNAIL_MAX_SIDE } from "@sorami/contracts";
import { signWebhook } from "@sorami/contracts/signature";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, present, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

/** The gallery over HTTP: thumbnails, filters, detail, delete (and what arrives after it), re-run. */
let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  alice = await signUp(stack.webUrl, "Alice");
  bob = await signUp(stack.webUrl, "Bob");
});
afterAll(async () => stack?.stop());

type Kind = "images" | "videos";

async function finished(token: string, kind: Kind, jobId: string) {
  const call = api(stack.webUrl, token);
  return waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${jobId}/status`);
      return ["COMPLETED", "FAILED"].includes(r.data?.status) ? r.data : null;
    },
    `${kind} job ${jobId}`,
    120_000,
  );
}

async function generate(token: string, kind: Kind, body: Record<string, unknown>): Promise<string> {
  const submit = await api(stack.webUrl, token)("POST", `/api/${kind}/generate`, body);
  expect(submit.status).toBe(202);
  expect((await finished(token, kind, submit.data.job_id)).status).toBe("COMPLETED");
  return submit.data.job_id;
}

async function fetchFile(token: string, url: string | null) {
  const res = await fetchChecked(`${stack.webUrl}${present(url, "a media URL")}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const onDisk = (key: string) => existsSync(path.join(stack.dataDir, "media", key));
const listed = async (token: string, kind: Kind, query = "") =>
  (await api(stack.webUrl, token)("GET", `/api/${kind}/user?limit=100${query}`)).data.generations.map(
    (g: { job_id: string }) => g.job_id,
  ) as string[];

/** A job row in a given state, as the web app would hold it (not dispatched). */
async function row(owner: TestUser, status: string, kind: "image" | "video" = "image"): Promise<string> {
  const id = randomUUID();
  await sql(
    stack.databaseUrl,
    "insert into generations (id, kind, author_id, prompt, params, status, error) values ($1, $2, $3, 'row', '{}', $4, $5)",
    [id, kind, owner.id, status, status === "FAILED" ? "provider said no" : null],
  );
  return id;
}

describe("thumbnails", () => {
  it("are made for every image, small WEBP at the file's aspect ratio, listed and served to the owner only", async () => {
    const id = await generate(alice.token, "images", { prompt: "a fox", num_images: 2, size: "1024x768" });
    const page = (await api(stack.webUrl, alice.token)("GET", "/api/images/user?limit=1")).data;
    const item = present(page.generations[0], "the newest generation");
    expect(item.job_id).toBe(id);
    expect(item.images).toHaveLength(2);
    for (const image of item.images) {
      expect(image.thumbnail_url).toMatch(new RegExp(`^/api/media/images/${id}/image_\\d_thumb\\.webp$`));
      const thumb = await fetchFile(alice.token, image.thumbnail_url);
      expect(thumb.res.headers.get("content-type")).toBe("image/webp");
      const meta = await sharp(thumb.bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", THUMBNAIL_MAX_SIDE, 288]);
      expect(thumb.bytes.length).toBeLessThan(image.size_bytes / 4);
      expect((await fetchFile(bob.token, image.thumbnail_url)).res.status).toBe(404);
    }
  });

  it("are made from every video's poster", async () => {
    const id = await generate(alice.token, "videos", {
      prompt: "waves",
      aspect_ratio: "9:16",
      duration_seconds: 1,
      number_of_videos: 1,
    });
    const detail = (await api(stack.webUrl, alice.token)("GET", `/api/videos/${id}`)).data;
    const video = present(detail.videos[0], "the video");
    expect(video.thumbnail_url).toBe(`/api/media/videos/${id}/video_1_thumb.webp`);
    const meta = await sharp((await fetchFile(alice.token, video.thumbnail_url)).bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 216, THUMBNAIL_MAX_SIDE]);
  });
});

describe("the status filter", () => {
  it("keeps the jobs of one status group, and refuses an unknown one naming the field", async () => {
    const carol = await signUp(stack.webUrl, "Carol");
    const done = await generate(carol.token, "images", { prompt: "done", size: "256x256" });
    const pending = await row(carol, "PENDING");
    const generating = await row(carol, "GENERATING");
    const failed = await row(carol, "FAILED");
    const canceled = await row(carol, "CANCELED");
    const video = await row(carol, "FAILED", "video");

    const sorted = (ids: string[]) => [...ids].sort();
    expect(sorted(await listed(carol.token, "images"))).toEqual(sorted([done, pending, generating, failed, canceled]));
    expect(sorted(await listed(carol.token, "images", "&status=all"))).toEqual(
      sorted([done, pending, generating, failed, canceled]),
    );
    expect(await listed(carol.token, "images", "&status=completed")).toEqual([done]);
    expect(sorted(await listed(carol.token, "images", "&status=in_progress"))).toEqual(sorted([pending, generating]));
    expect(sorted(await listed(carol.token, "images", "&status=failed"))).toEqual(sorted([failed, canceled]));
    expect(await listed(carol.token, "videos", "&status=failed")).toEqual([video]);

    // Keyset pages within a filter: no gaps, no repeats.
    const call = api(stack.webUrl, carol.token);
    const first = await call("GET", "/api/images/user?status=failed&limit=1");
    const second = await call("GET", `/api/images/user?status=failed&limit=1&cursor=${first.data.next_cursor}`);
    expect(sorted([...first.data.generations, ...second.data.generations].map((g) => g.job_id))).toEqual(
      sorted([failed, canceled]),
    );
    expect(second.data.next_cursor).toBeNull();

    for (const bad of ["bogus", "COMPLETED", ""]) {
      for (const kind of ["images", "videos"]) {
        const r = await call("GET", `/api/${kind}/user?status=${bad}`);
        expect([r.status, r.error.code, r.error.field], bad).toEqual([400, "invalid_request", "status"]);
      }
    }
  });
});

describe("the detail of a generation", () => {
  it("gives prompt, parameters, model, timings and files to the owner, and nothing to anyone else", async () => {
    const prompt = "<b>bold</b> & a heron";
    const id = await generate(alice.token, "images", { prompt, size: "512x512", format: "JPEG", style: "anime" });
    const call = api(stack.webUrl, alice.token);
    const detail = await call("GET", `/api/images/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.json).toMatchObject({
      job_id: id,
      kind: "image",
      status: "COMPLETED",
      prompt,
      params: { num_images: 1, size: "512x512", format: "JPEG", style: "anime", quality: "high" },
      metadata: { model: "local-image-v1", processing_time_ms: expect.any(Number) },
      error: null,
    });
    const { created_at, started_at, completed_at } = detail.data;
    expect(Date.parse(created_at)).toBeLessThanOrEqual(Date.parse(present(started_at)));
    expect(Date.parse(present(started_at))).toBeLessThanOrEqual(Date.parse(present(completed_at)));
    expect(detail.data.images[0]).toMatchObject({ format: "JPEG", width: 512, height: 512 });

    // The full file downloads as an attachment under a telling name.
    const file = await fetchFile(alice.token, `${present(detail.data.images[0]).url}?download=1`);
    expect(file.res.headers.get("content-disposition")).toBe(
      `attachment; filename="sorami-${id.slice(0, 8)}-image_1.jpg"`,
    );
    expect(file.bytes.length).toBe(present(detail.data.images[0]).size_bytes);

    expect((await call("GET", `/api/videos/${id}`)).status).toBe(404);
    const asBob = await api(stack.webUrl, bob.token)("GET", `/api/images/${id}`);
    expect([asBob.status, asBob.error.code]).toEqual([404, "not_found"]);
    expect((await api(stack.webUrl)("GET", `/api/images/${id}`)).status).toBe(401);

    // The page: the prompt as text (escaped), and the same not-found page for a stranger as for a missing id.
    const page = await call("GET", `/gallery/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("&lt;b&gt;bold&lt;/b&gt; &amp; a heron");
    expect(page.text).not.toContain("<b>bold</b>");
    for (const [token, jobId] of [
      [bob.token, id],
      [alice.token, randomUUID()],
    ] as const) {
      const other = await api(stack.webUrl, token)("GET", `/gallery/${jobId}`);
      expect(other.status).toBe(404);
      expect(other.text).toContain("Generation not found");
      expect(other.text).not.toContain("a heron");
    }
  });
});

describe("deleting a generation", () => {
  async function sendWebhook(body: Record<string, unknown>) {
    const text = JSON.stringify(body);
    const msgId = `msg_${randomUUID()}`;
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetchChecked(`${stack.webUrl}/api/webhooks/image-completion`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": msgId,
        "webhook-timestamp": String(ts),
        "webhook-signature": signWebhook(secretsOf(stack.dataDir).webhookSecret, msgId, ts, text),
      },
      body: text,
    });
    return { status: res.status, json: (await res.json()) as { message: string } };
  }

  it("removes it from every read and its files from disk; another user's delete is a 404 that deletes nothing", async () => {
    const id = await generate(alice.token, "images", { prompt: "to delete", num_images: 2, size: "256x256" });
    const call = api(stack.webUrl, alice.token);
    const { images } = (await call("GET", `/api/images/${id}`)).data;
    const keys = [`images/${id}/image_1.png`, `images/${id}/image_1_thumb.webp`, `images/${id}/image_2.png`];
    expect(keys.map(onDisk)).toEqual([true, true, true]);

    const asBob = await api(stack.webUrl, bob.token)("DELETE", `/api/images/${id}`);
    expect([asBob.status, asBob.error.code]).toEqual([404, "not_found"]);
    expect((await call("DELETE", `/api/videos/${id}`)).status).toBe(404);
    expect(keys.map(onDisk)).toEqual([true, true, true]);
    expect(await listed(alice.token, "images")).toContain(id);

    const deleted = await call("DELETE", `/api/images/${id}`);
    expect([deleted.status, deleted.text]).toEqual([204, ""]);
    expect(keys.map(onDisk)).toEqual([false, false, false]);
    expect(onDisk(`images/${id}`)).toBe(false);
    expect(await listed(alice.token, "images")).not.toContain(id);
    for (const route of [`/api/images/${id}`, `/api/images/${id}/status`, `/api/images/${id}/result`]) {
      expect((await call("GET", route)).status, route).toBe(404);
    }
    expect((await call("POST", `/api/images/${id}/cancel`)).status).toBe(404);
    expect((await call("DELETE", `/api/images/${id}`)).status).toBe(404);
    expect((await fetchFile(alice.token, present(images[0]).url)).res.status).toBe(404);
    expect((await call("GET", `/gallery/${id}`)).status).toBe(404);
    expect(await sql(stack.databaseUrl, "select 1 from media_files where generation_id = $1", [id])).toHaveLength(0);
  });

  it("cancels a job that is still running before deleting it", async () => {
    const id = await row(alice, "GENERATING");
    expect((await api(stack.webUrl, alice.token)("DELETE", `/api/images/${id}`)).status).toBe(204);
    const [g] = await sql<{ status: string; deleted_at: Date | null }>(
      stack.databaseUrl,
      "select status, deleted_at from generations where id = $1",
      [id],
    );
    expect(g?.status).toBe("CANCELED");
    expect(g?.deleted_at).toBeInstanceOf(Date);
  });

  it("acknowledges a late webhook for a deleted job as a no-op: the job is not recreated", async () => {
    const id = await generate(alice.token, "images", { prompt: "deleted then late", size: "256x256" });
    expect((await api(stack.webUrl, alice.token)("DELETE", `/api/images/${id}`)).status).toBe(204);
    const before = await sql(stack.databaseUrl, "select id from generations");

    for (const status of ["generating", "completed"]) {
      const late = await sendWebhook({
        job_id: id,
        user_id: alice.id,
        status,
        timestamp: new Date().toISOString(),
        data: {
          images: [
            {
              file_path: `images/${id}/image_1.png`,
              thumbnail_path: `images/${id}/image_1_thumb.webp`,
              format: "PNG",
              size_bytes: 10,
              dimensions: "256x256",
            },
          ],
        },
      });
      expect(late).toEqual({ status: 200, json: expect.objectContaining({ message: "Ignored: the job was deleted" }) });
    }
    expect(await sql(stack.databaseUrl, "select id from generations")).toHaveLength(before.length);
    expect(await sql(stack.databaseUrl, "select 1 from media_files where generation_id = $1", [id])).toHaveLength(0);
    expect(await listed(alice.token, "images")).not.toContain(id);
    expect((await api(stack.webUrl, alice.token)("GET", `/api/images/${id}/status`)).status).toBe(404);
  });
});

describe("re-running a generation", () => {
  it("submits a new job with identical parameters, once per Idempotency-Key, for the owner only", async () => {
    const params = { prompt: "a tram at night", num_images: 2, size: "512x512", format: "WEBP", style: "sketch" };
    const id = await generate(alice.token, "images", params);
    const call = api(stack.webUrl, alice.token);
    const key = randomUUID();
    const [a, b] = await Promise.all([
      call("POST", `/api/images/${id}/rerun`, undefined, { "idempotency-key": key }),
      call("POST", `/api/images/${id}/rerun`, undefined, { "idempotency-key": key }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.data.job_id).toBe(b.data.job_id);
    expect(a.data.job_id).not.toBe(id);
    await finished(alice.token, "images", a.data.job_id);
    const [original, copy] = await Promise.all([
      call("GET", `/api/images/${id}`),
      call("GET", `/api/images/${a.data.job_id}`),
    ]);
    expect(copy.data.prompt).toBe(original.data.prompt);
    expect(copy.data.params).toEqual(original.data.params);
    expect(copy.data.status).toBe("COMPLETED");
    expect(copy.data.images).toHaveLength(2);

    expect((await api(stack.webUrl, bob.token)("POST", `/api/images/${id}/rerun`)).status).toBe(404);
  });

  it("reuses a video's stored input image, stored again under the new job", async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#3366cc" } })
      .png()
      .toBuffer();
    const submit = await api(stack.webUrl, alice.token)("POST", "/api/videos/generate", {
      prompt: "from a picture",
      aspect_ratio: "1:1",
      duration_seconds: 1,
      input_image_base64: png.toString("base64"),
    });
    expect(submit.status).toBe(202);
    const id = submit.data.job_id;
    await finished(alice.token, "videos", id);
    const rerun = await api(stack.webUrl, alice.token)("POST", `/api/videos/${id}/rerun`);
    expect(rerun.status).toBe(202);
    const copy = rerun.data.job_id;
    expect(onDisk(`inputs/${copy}/input.png`)).toBe(true);
    const detail = (await api(stack.webUrl, alice.token)("GET", `/api/videos/${copy}`)).data;
    expect(detail.params).toMatchObject({ aspect_ratio: "1:1", duration_seconds: 1, input_image: true });
    expect((await finished(alice.token, "videos", copy)).status).toBe("COMPLETED");
  });
});
