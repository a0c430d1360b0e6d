import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EMPTY_PROMPT_POLICY, LOCAL_MODEL_VIEWS, parsePromptPolicy, type WebhookPayload } from "@sorami/contracts";
import { pngDeclaring } from "@sorami/contracts/testing";
import { schema } from "@sorami/db";
import { getOwnedFileByKey, listGenerationsForOwner } from "@sorami/db/queries/generations";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage, type Storage } from "@sorami/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../session";
import { applyWebhookEvent } from "../webhooks/apply";
import { deleteGeneration, purgeDeletedGeneration } from "./delete";
import { rerunGeneration } from "./rerun";

/** The catalog of a deployment with no key set: the local models. */
const LOCAL_CATALOG = { models: LOCAL_MODEL_VIEWS, inputImageAllowedHosts: [] };
const NO_QUOTA = { submissionsPerMinute: 1_000_000, maxActiveJobs: 1_000_000 };

let t: Awaited<ReturnType<typeof startTestDatabase>>;
const storage: Storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-delete-test-")));
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const user = (): Promise<SessionUser> => t.createUser();

/** A job with its stored files, as after a completed run (or still running). */
async function job(owner: SessionUser, status: "COMPLETED" | "GENERATING" = "COMPLETED"): Promise<string> {
  const id = randomUUID();
  await t.db.insert(schema.generations).values({
    id,
    kind: "image",
    authorId: owner.id,
    prompt: "a cat",
    params: { num_images: 1, size: "256x256", format: "PNG", style: "sketch", quality: "standard" },
    status,
  });
  await storage.put(`images/${id}/image_1.png`, Buffer.from("png"), "PNG");
  await storage.put(`images/${id}/image_1_thumb.webp`, Buffer.from("webp"), "WEBP");
  if (status === "COMPLETED") {
    await t.db.insert(schema.mediaFiles).values({
      id: randomUUID(),
      generationId: id,
      index: 0,
      storageKey: `images/${id}/image_1.png`,
      thumbnailKey: `images/${id}/image_1_thumb.webp`,
      sizeBytes: 3,
      format: "PNG",
      width: 256,
      height: 256,
    });
  }
  return id;
}

const row = async (id: string) =>
  (await t.db.select().from(schema.generations).where(eq(schema.generations.id, id)))[0];
const fileRows = async (id: string) =>
  t.db.select().from(schema.mediaFiles).where(eq(schema.mediaFiles.generationId, id));
const stored = async (key: string) => (await storage.open(key)) !== null;
const queued = async (key: string) =>
  (await t.pool.query("select 1 from web_worker.jobs where key = $1", [key])).rowCount ?? 0;

function completed(jobId: string, userId: string): WebhookPayload {
  return {
    job_id: jobId,
    user_id: userId,
    status: "completed",
    data: {
      images: [
        {
          file_path: `images/${jobId}/image_1.png`,
          thumbnail_path: `images/${jobId}/image_1_thumb.webp`,
          format: "PNG",
          size_bytes: 3,
          dimensions: "256x256",
        },
      ],
    },
  };
}

describe("deleteGeneration", () => {
  it("hides the job from every read and removes its files and media rows", async () => {
    const alice = await user();
    const id = await job(alice);
    await deleteGeneration(t.db, storage, alice, "image", id);
    expect((await row(id))?.deletedAt).toBeInstanceOf(Date);
    expect(await fileRows(id)).toEqual([]);
    expect(await stored(`images/${id}/image_1.png`)).toBe(false);
    expect(await stored(`images/${id}/image_1_thumb.webp`)).toBe(false);
    const page = await listGenerationsForOwner(t.db, alice.id, { limit: 10 });
    expect(page.rows.map((r) => r.id)).not.toContain(id);
    // A second delete, and any read, find nothing.
    await expect(deleteGeneration(t.db, storage, alice, "image", id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses another user's job (and a wrong kind) as not found, deleting nothing", async () => {
    const alice = await user();
    const bob = await user();
    const id = await job(alice);
    await expect(deleteGeneration(t.db, storage, bob, "image", id)).rejects.toMatchObject({ code: "not_found" });
    await expect(deleteGeneration(t.db, storage, alice, "video", id)).rejects.toMatchObject({ code: "not_found" });
    expect((await row(id))?.deletedAt).toBeNull();
    expect(await fileRows(id)).toHaveLength(1);
    expect(await stored(`images/${id}/image_1.png`)).toBe(true);
    expect(await getOwnedFileByKey(t.db, alice.id, `images/${id}/image_1_thumb.webp`)).not.toBeNull();
  });

  it("cancels a running job first, telling the generator to stop", async () => {
    const alice = await user();
    const id = await job(alice, "GENERATING");
    await deleteGeneration(t.db, storage, alice, "image", id);
    expect(await row(id)).toMatchObject({ status: "CANCELED", deletedAt: expect.any(Date) });
    expect(await queued(`cancel:${id}`)).toBe(1);
    expect(await queued(`purge:${id}`)).toBe(1);
    expect(await stored(`images/${id}/image_1.png`)).toBe(false);
  });

  it("acknowledges a late webhook for a deleted job as a no-op: no job, no files, files purged again", async () => {
    const alice = await user();
    const id = await job(alice, "GENERATING");
    await deleteGeneration(t.db, storage, alice, "image", id);
    // The generator finished before it heard of the cancel, and wrote its files again.
    await storage.put(`images/${id}/image_1.png`, Buffer.from("late"), "PNG");
    const outcome = await applyWebhookEvent(t.db, "image", `late-${id}`, completed(id, alice.id));
    expect(outcome).toEqual({ outcome: "ignored", reason: "deleted" });
    expect(await row(id)).toMatchObject({ status: "CANCELED", deletedAt: expect.any(Date) });
    expect(await fileRows(id)).toEqual([]);
    expect(await queued(`purge:${id}`)).toBe(1);
    await purgeDeletedGeneration(t.db, storage, id);
    expect(await stored(`images/${id}/image_1.png`)).toBe(false);
    const notes = await t.db.select().from(schema.notifications).where(eq(schema.notifications.userId, alice.id));
    expect(notes).toEqual([]);
  });

  it("purges nothing of a job that is not deleted", async () => {
    const alice = await user();
    const id = await job(alice);
    await purgeDeletedGeneration(t.db, storage, id);
    expect(await stored(`images/${id}/image_1.png`)).toBe(true);
    expect(await fileRows(id)).toHaveLength(1);
  });
});

describe("rerunGeneration", () => {
  it("submits a new job with the same parameters, and its own copy of the input image", async () => {
    const alice = await user();
    const id = randomUUID();
    const png = pngDeclaring(8, 8); // a whole header: submit reads it (its pixel count)
    await storage.put(`inputs/${id}/input.png`, png, "PNG");
    const params = {
      aspect_ratio: "9:16",
      duration_seconds: 3,
      number_of_videos: 1,
      person_generation: "DONT_ALLOW",
      input_image_key: `inputs/${id}/input.png`,
    };
    await t.db
      .insert(schema.generations)
      .values({ id, kind: "video", authorId: alice.id, prompt: "waves", params, status: "COMPLETED" });

    const { body, created } = await rerunGeneration(
      { db: t.db, storage, user: alice, catalog: LOCAL_CATALOG, quotas: NO_QUOTA, policy: EMPTY_PROMPT_POLICY },
      "video",
      id,
      null,
    );
    expect(created).toBe(true);
    const copy = await row(body.job_id);
    expect(copy).toMatchObject({ kind: "video", prompt: "waves", status: "PENDING", authorId: alice.id });
    // A job from before the catalog names no model: the re-run takes the default, and says so.
    expect(copy).toMatchObject({ model: "local-video-v1", provider: "local" });
    expect(copy?.params).toEqual({
      ...params,
      model: "local-video-v1",
      input_image_key: `inputs/${body.job_id}/input.png`,
    });
    expect(await storage.open(`inputs/${body.job_id}/input.png`)).not.toBeNull();
    expect(await queued(`dispatch:${body.job_id}`)).toBe(1);

    const bob = await user();
    await expect(
      rerunGeneration(
        { db: t.db, storage, user: bob, catalog: LOCAL_CATALOG, quotas: NO_QUOTA, policy: EMPTY_PROMPT_POLICY },
        "video",
        id,
        null,
      ),
    ).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("refuses, 422 naming the field, a job whose prompt the operator's policy now refuses", async () => {
    const alice = await user();
    const id = randomUUID();
    await t.db.insert(schema.generations).values({
      id,
      kind: "image",
      authorId: alice.id,
      prompt: "a Gory scene",
      params: { num_images: 1, size: "256x256" },
      status: "FAILED",
    });
    const policy = parsePromptPolicy("gory\n");
    const rerun = rerunGeneration(
      { db: t.db, storage, user: alice, catalog: LOCAL_CATALOG, quotas: NO_QUOTA, policy },
      "image",
      id,
      null,
    );
    await expect(rerun).rejects.toMatchObject({ code: "unprocessable", status: 422, field: "prompt" });
    await expect(rerun).rejects.toThrow("prompt: refused by this site's content policy");
    // Nothing was submitted: alice still has her one job.
    const rows = await t.db.select().from(schema.generations).where(eq(schema.generations.authorId, alice.id));
    expect(rows.map((r) => r.id)).toEqual([id]);
  });

  it("refuses a job whose parameters it never saw (created from a generator's webhook)", async () => {
    const alice = await user();
    const id = randomUUID();
    await t.db.insert(schema.generations).values({
      id,
      kind: "image",
      authorId: alice.id,
      prompt: "x",
      params: { source: "generator-direct", size: "1024x1024" },
    });
    await expect(
      rerunGeneration(
        { db: t.db, storage, user: alice, catalog: LOCAL_CATALOG, quotas: NO_QUOTA, policy: EMPTY_PROMPT_POLICY },
        "image",
        id,
        null,
      ),
    ).rejects.toMatchObject({
      code: "unprocessable",
    });
  });
});
