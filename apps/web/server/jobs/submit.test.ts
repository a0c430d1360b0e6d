import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ACTIVE_JOBS_RETRY_AFTER_SECONDS, AppError, SUBMISSION_WINDOW_SECONDS } from "@sorami/contracts";
import { pngDeclaring } from "@sorami/contracts/testing";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage } from "@sorami/storage";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../session";
import { type Quotas, submitGeneration } from "./submit";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
let mediaDir: string;
let storage: LocalStorage;
beforeAll(async () => {
  t = await startTestDatabase();
  mediaDir = mkdtempSync(path.join(os.tmpdir(), "sorami-submit-test-"));
  storage = new LocalStorage(mediaDir);
});
afterAll(async () => {
  await t?.stop();
  rmSync(mediaDir, { recursive: true, force: true });
});

const newUser = (): Promise<SessionUser> => t.createUser();
const submission = {
  params: { prompt: "a cat", num_images: 1, size: "256x256", model: "local-image-v1" },
  model: { id: "local-image-v1", provider: "local" as const },
};
const submit = (user: SessionUser, quotas: Quotas, key: string | null = null) =>
  submitGeneration({ db: t.db, storage, user, quotas }, "image", submission, key);
const rows = async (user: SessionUser) =>
  t.db.select().from(schema.generations).where(eq(schema.generations.authorId, user.id));

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("submit quotas", () => {
  it("refuses a job past USER_MAX_ACTIVE_JOBS unfinished ones, until one ends", async () => {
    const user = await newUser();
    const quotas = { submissionsPerMinute: 100, maxActiveJobs: 2 };
    await submit(user, quotas);
    const { body } = await submit(user, quotas);
    const error = await refusal(submit(user, quotas));
    expect(error.code).toBe("rate_limited");
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ "Retry-After": String(ACTIVE_JOBS_RETRY_AFTER_SECONDS) });
    expect(await rows(user)).toHaveLength(2);

    await t.db.update(schema.generations).set({ status: "COMPLETED" }).where(eq(schema.generations.id, body.job_id));
    await submit(user, quotas);
    expect(await rows(user)).toHaveLength(3);
  });

  it("refuses a submission past USER_SUBMISSIONS_PER_MINUTE, saying when the oldest leaves the window", async () => {
    const user = await newUser();
    const quotas = { submissionsPerMinute: 3, maxActiveJobs: 100 };
    for (let i = 0; i < 3; i++) {
      await submit(user, quotas);
    }
    const error = await refusal(submit(user, quotas));
    expect(error.code).toBe("rate_limited");
    const wait = Number(error.headers?.["Retry-After"]);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(SUBMISSION_WINDOW_SECONDS);

    // Once the oldest submission is older than the window, there is room again.
    const [oldest] = (await rows(user)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    await t.db
      .update(schema.generations)
      .set({ createdAt: sql`now() - make_interval(secs => ${SUBMISSION_WINDOW_SECONDS + 1})` })
      .where(eq(schema.generations.id, oldest?.id ?? ""));
    await submit(user, quotas);
    expect(await rows(user)).toHaveLength(4);
  });

  it("holds for concurrent submits: ten at once, exactly the quota is written", async () => {
    const user = await newUser();
    const quotas = { submissionsPerMinute: 100, maxActiveJobs: 3 };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => submit(user, quotas)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "rate_limited" });
    }
    expect(await rows(user)).toHaveLength(3);
  });

  it("answers a retry with the same Idempotency-Key with its job even when the quota is full", async () => {
    const user = await newUser();
    const quotas = { submissionsPerMinute: 100, maxActiveJobs: 1 };
    const first = await submit(user, quotas, "retry-key");
    await refusal(submit(user, quotas));
    const again = await submit(user, quotas, "retry-key");
    expect(again).toEqual({ body: { ...first.body, message: "Generation already submitted" }, created: false });
  });

  it("counts each user alone", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const quotas = { submissionsPerMinute: 100, maxActiveJobs: 1 };
    await submit(a, quotas);
    await refusal(submit(a, quotas));
    await submit(b, quotas);
    expect(await rows(b)).toHaveLength(1);
  });
});

describe("submit refusals that leave nothing behind", () => {
  const quotas = { submissionsPerMinute: 1000, maxActiveJobs: 1000 };

  it("refuses, 409 naming Idempotency-Key, a retry whose job was deleted (never a job id that answers 404)", async () => {
    const user = await newUser();
    const { body } = await submit(user, quotas, "key-of-a-deleted-job");
    await t.db.update(schema.generations).set({ deletedAt: new Date() }).where(eq(schema.generations.id, body.job_id));
    const error = await refusal(submit(user, quotas, "key-of-a-deleted-job"));
    expect([error.code, error.status, error.field]).toEqual(["conflict", 409, "Idempotency-Key"]);
    expect(error.message).toMatch(/deleted; send a new key/);
    expect(await rows(user)).toHaveLength(1);
    // A new key submits again.
    expect((await submit(user, quotas, "a-new-key")).created).toBe(true);
  });

  it("refuses, 413 naming input_image_base64, an input image that declares ~268 megapixels; stores nothing", async () => {
    const user = await newUser();
    const bomb = { bytes: pngDeclaring(16383, 16383), type: "PNG" as const };
    const error = await refusal(
      submitGeneration(
        { db: t.db, storage, user, quotas },
        "video",
        {
          params: { prompt: "a slow tide", duration_seconds: 1, model: "local-video-v1" },
          model: { id: "local-video-v1", provider: "local" },
          inputImage: bomb,
        },
        null,
      ),
    );
    expect([error.code, error.status, error.field]).toEqual(["payload_too_large", 413, "input_image_base64"]);
    expect(await rows(user)).toHaveLength(0);
    expect(existsSync(path.join(mediaDir, "inputs"))).toBe(false);
  });
});
