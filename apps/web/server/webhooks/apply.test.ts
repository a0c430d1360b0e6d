import { randomBytes, randomUUID } from "node:crypto";
import {
  isWellFormedText,
  PROMPT_MAX_LENGTH,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  type WebhookPayload,
  type WebhookPayloadOf,
} from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyWebhookEvent, UNSTORABLE_RESULT_MESSAGE } from "./apply";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const user = async () => (await t.createUser()).id;
async function job(authorId: string): Promise<string> {
  const id = randomUUID();
  await t.db.insert(schema.generations).values({ id, kind: "image", authorId, prompt: "a cat", params: {} });
  return id;
}
function completed(jobId: string, userId?: string, n = 2): Extract<WebhookPayloadOf<"image">, { status: "completed" }> {
  return {
    job_id: jobId,
    user_id: userId,
    status: "completed",
    timestamp: new Date().toISOString(),
    data: {
      job_id: jobId,
      images: Array.from({ length: n }, (_, i) => ({
        file_path: `images/${jobId}/image_${i + 1}.png`,
        // What Sorami's generator reports: its file, and the web app's own media route for it.
        url: `http://localhost:3000/api/media/images/${jobId}/image_${i + 1}.png`,
        description: "a cat",
        format: "PNG",
        size_bytes: 1000 + i,
        dimensions: "512x512",
      })),
      metadata: { model_name: "m", generation_time_seconds: 1.5 },
      original_prompt: "a cat",
    },
  };
}
const state = async (id: string) => {
  const [g] = await t.db.select().from(schema.generations).where(eq(schema.generations.id, id));
  const files = await t.db.select().from(schema.mediaFiles).where(eq(schema.mediaFiles.generationId, id));
  const notes = await t.db
    .select()
    .from(schema.notifications)
    .where(eq(schema.notifications.userId, g?.authorId ?? ""));
  return { g, files, notes };
};

describe("applyWebhookEvent", () => {
  it("applies a completed event once even when ten copies arrive at the same time", async () => {
    const u = await user();
    const id = await job(u);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => applyWebhookEvent(t.db, "image", "evt-same", completed(id, u))),
    );
    expect(results.filter((r) => r.outcome === "applied")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(9);
    const { g, files, notes } = await state(id);
    expect(g?.status).toBe("COMPLETED");
    expect(g?.progress).toBe(100);
    expect(g?.processingTimeMs).toBe(1500);
    expect(files.map((f) => f.index).sort()).toEqual([0, 1]);
    expect(notes.map((n) => n.type)).toEqual(["IMAGE_COMPLETED"]);
  });

  it("never moves a job backwards: a late `generating` after `completed` changes nothing", async () => {
    const u = await user();
    const id = await job(u);
    await applyWebhookEvent(t.db, "image", `${id}-c`, completed(id, u));
    const late = await applyWebhookEvent(t.db, "image", `${id}-g`, { job_id: id, status: "generating", progress: 60 });
    expect(late).toEqual({ outcome: "ignored", reason: "terminal" });
    expect((await state(id)).g?.status).toBe("COMPLETED");
  });

  it("applies out-of-order progress monotonically", async () => {
    const u = await user();
    const id = await job(u);
    await applyWebhookEvent(t.db, "image", `${id}-s`, { job_id: id, status: "saving", progress: 90 });
    const older = await applyWebhookEvent(t.db, "image", `${id}-i`, {
      job_id: id,
      status: "initializing",
      progress: 25,
    });
    expect(older.outcome).toBe("ignored");
    const { g } = await state(id);
    expect([g?.status, g?.progress]).toEqual(["SAVING", 90]);
  });

  it("records the model serving the job and the provider's words, newest first, whatever order they arrive in", async () => {
    const u = await user();
    const id = await job(u);
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    const serving = { model: "fal-ai/flux/schnell", provider: "fal", request_id: "req-1" };
    const said = (n: number, message: string): WebhookPayload => ({
      job_id: id,
      status: "generating",
      progress: 60,
      message,
      timestamp: at(n),
      serving,
    });
    await applyWebhookEvent(t.db, "image", `${id}-1`, said(1, "Submitted to FLUX.1 [schnell] (fal)"));
    await applyWebhookEvent(t.db, "image", `${id}-3`, said(3, "In queue — position 2"));
    const late = await applyWebhookEvent(t.db, "image", `${id}-2`, said(2, "In queue — position 3"));
    expect(late).toEqual({ outcome: "ignored", reason: "backwards" });
    const { g } = await state(id);
    expect(g).toMatchObject({ message: "In queue — position 2", model: "fal-ai/flux/schnell", provider: "fal" });
    expect(g?.providerMetadata).toEqual({ request_id: "req-1" });
  });

  it("stores a failure with its reason and a failure notification", async () => {
    const u = await user();
    const id = await job(u);
    await applyWebhookEvent(t.db, "image", `${id}-f`, {
      job_id: id,
      status: "failed",
      error_message: "Quota exceeded",
    });
    const { g, notes } = await state(id);
    expect([g?.status, g?.error]).toEqual(["FAILED", "Quota exceeded"]);
    expect(notes.map((n) => n.type)).toEqual(["IMAGE_FAILED"]);
  });

  it("refuses a completed event with no images, and records nothing", async () => {
    const u = await user();
    const id = await job(u);
    await expect(applyWebhookEvent(t.db, "image", `${id}-e`, completed(id, u, 0))).rejects.toMatchObject({
      code: "invalid_request",
      field: "data.images",
    });
    const [evt] = await t.db
      .select()
      .from(schema.webhookEvents)
      .where(eq(schema.webhookEvents.id, `${id}-e`));
    expect(evt).toBeUndefined();
    expect((await state(id)).g?.status).toBe("PENDING");
  });

  it("never gives an unknown job to some user: refused without a real user_id, created for the named one", async () => {
    const first = await user(); // the "first user" of document 003's hack must get nothing
    const unknown = randomUUID();
    await expect(applyWebhookEvent(t.db, "image", `${unknown}-a`, completed(unknown))).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      applyWebhookEvent(t.db, "image", `${unknown}-b`, completed(unknown, "no-such-user")),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    const owner = await user();
    const r = await applyWebhookEvent(t.db, "image", `${unknown}-c`, completed(unknown, owner));
    expect(r.outcome).toBe("applied");
    const { g, files } = await state(unknown);
    expect(g?.authorId).toBe(owner);
    expect(g?.prompt).toBe("a cat");
    expect(files).toHaveLength(2);
    expect(await t.db.select().from(schema.generations).where(eq(schema.generations.authorId, first))).toHaveLength(0);
  });

  it("keeps the prompt a backend reports for a job it started on its own, even when a progress event came first", async () => {
    const owner = await user();
    const progress = (id: string, extra: Record<string, unknown> = {}) => ({
      job_id: id,
      user_id: owner,
      status: "initializing",
      progress: 25,
      ...extra,
    });
    const completedWith = (id: string, top: string | undefined, inData: string | undefined, description?: string) => {
      const p = completed(id, owner, 1);
      const [image] = p.data.images;
      if (image) {
        image.description = description ?? null;
      }
      p.data.original_prompt = inData;
      return { ...p, ...(top === undefined ? {} : { original_prompt: top }) };
    };
    const promptOf = async (id: string) => (await state(id)).g?.prompt;

    // Document 003's proposal, data.original_prompt, after an initializing event that said nothing.
    const a = randomUUID();
    await applyWebhookEvent(t.db, "image", `${a}-1`, progress(a));
    expect(await promptOf(a)).toBe("(prompt not reported by the generator)");
    await applyWebhookEvent(t.db, "image", `${a}-2`, completedWith(a, undefined, "Un chat mignon", "a description"));
    expect(await promptOf(a)).toBe("Un chat mignon");
    // At the top level, on the progress event itself.
    const b = randomUUID();
    await applyWebhookEvent(t.db, "image", `${b}-1`, progress(b, { original_prompt: "  Un chat astronaute " }));
    expect(await promptOf(b)).toBe("Un chat astronaute");
    // Only the files' description: what document 003's webhook rebuilt the prompt from.
    const c = randomUUID();
    await applyWebhookEvent(t.db, "image", `${c}-1`, completedWith(c, undefined, undefined, "Un chat en lunettes"));
    expect(await promptOf(c)).toBe("Un chat en lunettes");
    // Bounded: longer than a prompt may be is cut to the prompt limit; past the webhook's own limit, refused.
    const d = randomUUID();
    await applyWebhookEvent(t.db, "image", `${d}-1`, completedWith(d, "p".repeat(PROMPT_MAX_LENGTH + 10), undefined));
    expect(await promptOf(d)).toHaveLength(PROMPT_MAX_LENGTH);
    const e = randomUUID();
    await expect(
      applyWebhookEvent(
        t.db,
        "image",
        `${e}-1`,
        progress(e, { original_prompt: "p".repeat(WEBHOOK_DESCRIPTION_MAX_LENGTH + 1) }),
      ),
    ).rejects.toMatchObject({ field: "original_prompt" });
    // A job the user submitted keeps their prompt, whatever the backend says.
    const mine = await job(owner);
    await applyWebhookEvent(t.db, "image", `${mine}-1`, completedWith(mine, "something else", "something else"));
    expect(await promptOf(mine)).toBe("a cat");
  });

  it("refuses an event whose user_id is not the job's owner", async () => {
    const owner = await user();
    const other = await user();
    const id = await job(owner);
    await expect(applyWebhookEvent(t.db, "image", `${id}-x`, completed(id, other))).rejects.toMatchObject({
      code: "conflict",
    });
    expect((await state(id)).files).toHaveLength(0);
  });
});

describe("text cut for notifications and events", () => {
  it("completes a job whose prompt has half an emoji at the notification's cut (jsonb refuses a lone surrogate)", async () => {
    const u = await user();
    const id = randomUUID();
    const prompt = `${"a".repeat(79)}😀 and more`;
    await t.db.insert(schema.generations).values({ id, kind: "image", authorId: u, prompt, params: {} });
    const r = await applyWebhookEvent(t.db, "image", `${id}-emoji`, completed(id, u));
    expect(r.outcome).toBe("applied");
    const { g, notes } = await state(id);
    expect(g?.status).toBe("COMPLETED");
    expect(isWellFormedText(notes[0]?.message ?? "")).toBe(true);
  });
});

describe("storage keys a webhook reports", () => {
  const refusedWith = async (id: string, payload: WebhookPayloadOf<"image">, field: string) => {
    await expect(applyWebhookEvent(t.db, "image", `${id}-${field}`, payload)).rejects.toMatchObject({
      code: "invalid_request",
      field,
    });
    // Refused before anything was written: no event recorded, no file, the job untouched.
    const [evt] = await t.db
      .select()
      .from(schema.webhookEvents)
      .where(eq(schema.webhookEvents.id, `${id}-${field}`));
    expect(evt).toBeUndefined();
    const { g, files } = await state(id);
    expect([g?.status, files.length]).toEqual(["PENDING", 0]);
  };

  it("refuses a file, thumbnail or poster outside the job's own folder, naming the field", async () => {
    const u = await user();
    const victim = await job(await user());
    const id = await job(u);
    // Without a url the key is all there is: it must be one of the job's own (with a url, see the next test).
    const withKey = (field: "file_path" | "thumbnail_path", key: string) => {
      const p = completed(id, u, 2);
      const second = p.data?.images?.[1];
      if (second) {
        second[field] = key;
        if (field === "file_path") {
          delete second.url;
        }
      }
      return p;
    };
    await refusedWith(id, withKey("thumbnail_path", `images/${victim}/image_1.png`), "data.images.1.thumbnail_path");
    await refusedWith(id, withKey("file_path", `images/${victim}/image_1.png`), "data.images.1.file_path");
    await refusedWith(id, withKey("file_path", `images/${id}/image_1.png/thumb.webp`), "data.images.1.file_path");
    await refusedWith(id, withKey("file_path", `images/${id}/../${victim}/image_1.png`), "data.images.1.file_path");
    await refusedWith(id, withKey("file_path", `inputs/${id}/input.png`), "data.images.1.file_path");

    const video = randomUUID();
    await t.db.insert(schema.generations).values({ id: video, kind: "video", authorId: u, prompt: "p", params: {} });
    await expect(
      applyWebhookEvent(t.db, "video", `${video}-poster`, {
        job_id: video,
        status: "completed",
        data: {
          videos: [
            {
              file_path: `videos/${video}/video_1.mp4`,
              poster_path: `videos/${victim}/video_1_poster.jpg`,
              format: "MP4",
              size_bytes: 10,
              duration_seconds: 1,
              dimensions: "8x8",
            },
          ],
        },
      }),
    ).rejects.toMatchObject({ code: "invalid_request", field: "data.videos.0.poster_path" });
  });

  it("never trusts a key that is not the job's own: with a url, the file is fetched into the job's folder", async () => {
    const u = await user();
    const victim = await job(await user());
    const id = await job(u);
    const p = completed(id, u, 3);
    const [, second, third] = p.data.images;
    if (!second || !third) {
      throw new Error("three images expected");
    }
    // Another job's key, served from elsewhere; and document 002's key of the sender's own disk.
    second.file_path = `images/${victim}/image_1.png`;
    second.url = "https://bucket.s3.amazonaws.com/images/x/image_1.png?X-Amz-Signature=abc";
    third.file_path = "./generated_images/e0145eaa/image_1.png";
    third.url = "http://backend.example/generated_images/e0145eaa/image_1.png";
    expect(await applyWebhookEvent(t.db, "image", `${id}-foreign`, p)).toMatchObject({ outcome: "applied" });
    const { g, files } = await state(id);
    expect(g?.status).toBe("COMPLETED");
    expect(
      files.sort((a, b) => a.index - b.index).map((f) => [f.storageKey, f.state, f.sourceUrl, f.thumbnailKey]),
    ).toEqual([
      [`images/${id}/image_1.png`, "stored", null, null],
      [`images/${id}/remote_2.png`, "pending", second.url, null],
      [`images/${id}/remote_3.png`, "pending", third.url, null],
    ]);
    // Their fetches are queued with the rows, one per file.
    const queued = await t.pool.query<{ key: string }>(
      `select j.key from web_worker._private_jobs j
       join web_worker._private_tasks t on t.id = j.task_id where t.identifier = 'fetch-remote-file'`,
    );
    const ids = files.filter((f) => f.state === "pending").map((f) => `fetch-remote-file:${f.id}`);
    expect(queued.rows.map((r) => r.key)).toEqual(expect.arrayContaining(ids));
  });

  it("accepts document 002's dev payload: a url and no file_path, under a key Sorami makes", async () => {
    const u = await user();
    const id = await job(u);
    const payload = {
      job_id: id,
      status: "completed",
      timestamp: "2025-10-21T16:45:00Z",
      data: {
        job_id: id,
        images: [
          { url: "http://localhost:9006/image.png", format: "PNG", dimensions: "1024x1024", size_bytes: 2048576 },
        ],
        metadata: { model_name: "gemini-2.0-flash-exp", generation_time_seconds: 12.5 },
      },
    };
    expect(await applyWebhookEvent(t.db, "image", `${id}-dev`, payload)).toMatchObject({ outcome: "applied" });
    const { files } = await state(id);
    expect(files.map((f) => [f.storageKey, f.state, f.width, f.sizeBytes])).toEqual([
      [`images/${id}/remote_1.png`, "pending", 1024, 2048576],
    ]);
    // Neither a file_path nor a url: refused, naming the field.
    const neither = {
      ...payload,
      data: { ...payload.data, images: [{ format: "PNG", dimensions: "8x8", size_bytes: 1 }] },
    };
    await expect(applyWebhookEvent(t.db, "image", `${id}-neither`, neither)).rejects.toMatchObject({
      field: "data.images.0.file_path",
    });
    // A url Sorami cannot fetch from, for a file that is not in its storage: refused, naming the url.
    const ftp = {
      ...payload,
      data: { ...payload.data, images: [{ ...payload.data.images[0], url: "ftp://x/y.png" }] },
    };
    await expect(applyWebhookEvent(t.db, "image", `${id}-ftp`, ftp)).rejects.toMatchObject({
      field: "data.images.0.url",
    });
  });

  it("refuses two files under one key instead of keeping one and counting two", async () => {
    const u = await user();
    const id = await job(u);
    const twice = completed(id, u, 2);
    const [first, second] = twice.data?.images ?? [];
    if (first && second) {
      second.file_path = first.file_path;
    }
    await refusedWith(id, twice, "data.images.1.file_path");
    const thumbIsAFile = completed(id, u, 2);
    const [a, b] = thumbIsAFile.data?.images ?? [];
    if (a && b) {
      b.thumbnail_path = a.file_path;
    }
    await refusedWith(id, thumbIsAFile, "data.images.1.thumbnail_path");
  });
});

describe("an event PostgreSQL refuses for its content", () => {
  it("fails the job with a reason its owner reads (422, not a 500 forever); the redelivery is acknowledged", async () => {
    const u = await user();
    const id = await job(u);
    // A real constraint the event's rows break: the same refusal every time it is applied.
    await t.pool.query(
      `alter table media_files add constraint poison_${id.slice(0, 8)} check (storage_key <> 'images/${id}/image_1.png')`,
    );
    try {
      await expect(applyWebhookEvent(t.db, "image", `${id}-c1`, completed(id, u))).rejects.toMatchObject({
        code: "unprocessable",
      });
      const { g, files, notes } = await state(id);
      expect([g?.status, g?.error, files.length]).toEqual(["FAILED", UNSTORABLE_RESULT_MESSAGE, 0]);
      expect(notes.map((n) => [n.type, n.message])).toEqual([["IMAGE_FAILED", UNSTORABLE_RESULT_MESSAGE]]);
      const again = await applyWebhookEvent(t.db, "image", `${id}-c1`, completed(id, u));
      expect(again).toEqual({ outcome: "ignored", reason: "terminal" });
    } finally {
      await t.pool.query(`alter table media_files drop constraint poison_${id.slice(0, 8)}`);
    }
  });

  it("does not end the job when what PostgreSQL refused is the event itself (an id too large to index)", async () => {
    const u = await user();
    const id = await job(u);
    const hugeId = randomBytes(6000).toString("base64"); // past a btree row's ~2.7 KB, compressed or not
    await expect(applyWebhookEvent(t.db, "image", hugeId, completed(id, u))).rejects.toMatchObject({
      code: "unprocessable",
    });
    expect((await state(id)).g?.status).toBe("PENDING");
    expect((await applyWebhookEvent(t.db, "image", `${id}-ok`, completed(id, u))).outcome).toBe("applied");
  });

  it("only refuses a progress event: the job carries on with the next one", async () => {
    const u = await user();
    const id = await job(u);
    const name = `poison_progress_${id.slice(0, 8)}`;
    await t.pool.query(`alter table generations add constraint ${name} check (id <> '${id}' or progress <> 37)`);
    try {
      await expect(
        applyWebhookEvent(t.db, "image", `${id}-g`, { job_id: id, status: "generating", progress: 37 }),
      ).rejects.toMatchObject({ code: "unprocessable" });
      expect((await state(id)).g?.status).toBe("PENDING");
      await applyWebhookEvent(t.db, "image", `${id}-s`, { job_id: id, status: "saving", progress: 90 });
      expect((await state(id)).g?.status).toBe("SAVING");
    } finally {
      await t.pool.query(`alter table generations drop constraint ${name}`);
    }
  });
});
