import { randomUUID } from "node:crypto";
import { errorBodySchema, isWellFormedText, PROMPT_MAX_LENGTH } from "@sorami/contracts";
import { pngDeclaring } from "@sorami/contracts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, present, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";
import { webhookHeaders } from "./http";

/**
 * Hostile or unlucky input through the whole stack: text the pipeline
 * cannot carry, text cut where a character is split, storage keys that point
 * outside their job, and the small defects of the same probes (issue 14,
 * items 2, 4, 6 and 11).
 */
let stack: Stack;
let alice: TestUser;
let bob: TestUser;
let secret: string;

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  [alice, bob] = [await signUp(stack.webUrl, "Alice"), await signUp(stack.webUrl, "Bob")];
  secret = secretsOf(stack.dataDir).webhookSecret;
});
afterAll(async () => stack?.stop());

const jobCount = async (user: TestUser) =>
  Number(
    (
      await sql<{ n: string }>(stack.databaseUrl, "select count(*) n from generations where author_id = $1", [user.id])
    )[0]?.n,
  );

async function completedImage(user: TestUser, prompt: string): Promise<string> {
  const call = api(stack.webUrl, user.token);
  const submitted = await call("POST", "/api/images/generate", { prompt, num_images: 1, size: "256x256" });
  expect(submitted.status, submitted.text).toBe(202);
  const id: string = submitted.data.job_id;
  const final = await waitFor(async () => {
    const s = (await call("GET", `/api/images/${id}/status`)).data;
    return s?.status === "COMPLETED" || s?.status === "FAILED" ? s : null;
  }, `image job ${id} to end`);
  expect(final.status, final.error ?? undefined).toBe("COMPLETED");
  return id;
}

function sendWebhook(payload: unknown) {
  const body = JSON.stringify(payload);
  return api(stack.webUrl)("POST", "/api/webhooks/image-completion", body, webhookHeaders(secret, body));
}

function completedEvent(jobId: string, images: Record<string, unknown>[]) {
  return {
    job_id: jobId,
    status: "completed",
    timestamp: new Date().toISOString(),
    data: {
      job_id: jobId,
      images: images.map((image) => ({ format: "PNG", size_bytes: 10, dimensions: "8x8", ...image })),
    },
  };
}

async function pendingJobOf(user: TestUser): Promise<string> {
  const id = randomUUID();
  await sql(
    stack.databaseUrl,
    "insert into generations (id, kind, author_id, prompt, params, status) values ($1, 'image', $2, 'mine', '{}', 'PENDING')",
    [id, user.id],
  );
  return id;
}

describe("text a person writes", () => {
  it("refuses, 400 naming the field and the character, what the pipeline cannot carry; nothing is written", async () => {
    const call = api(stack.webUrl, alice.token);
    const before = await jobCount(alice);
    for (const [route, body, field] of [
      ["/api/images/generate", { prompt: "a cat \uFFFF" }, "prompt"],
      ["/api/images/generate", { prompt: "plane sixteen \u{10FFFF}" }, "prompt"],
      ["/api/images/generate", { prompt: "next line \u0085" }, "prompt"],
      [
        "/api/videos/generate",
        { prompt: "waves", negative_prompt: "no \uFDD0", duration_seconds: 1, aspect_ratio: "1:1" },
        "negative_prompt",
      ],
    ] as const) {
      const r = await call("POST", route, body);
      expect([r.status, r.error.field], JSON.stringify(body)).toEqual([400, field]);
      expect(r.error.message).toMatch(/must not contain U\+[0-9A-F]{4,6}/);
    }
    expect(await jobCount(alice)).toBe(before);
    const signUpRes = await fetchChecked(`${stack.webUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Eve\uFFFF",
        email: `eve-${randomUUID()}@example.test`,
        password: "correct horse battery",
      }),
    });
    expect(signUpRes.status).toBe(400);
    expect(errorBodySchema.parse(await signUpRes.json()).error.field).toBe("name");
  });

  it("takes a prompt of 4000 emoji (the limit counts characters), refuses 4001, and completes it", async () => {
    const call = api(stack.webUrl, alice.token);
    const over = await call("POST", "/api/images/generate", { prompt: "😀".repeat(PROMPT_MAX_LENGTH + 1) });
    expect([over.status, over.error.field]).toEqual([400, "prompt"]);
    const id = await completedImage(alice, "😀".repeat(PROMPT_MAX_LENGTH));
    const [note] = await sql<{ message: string }>(
      stack.databaseUrl,
      "select message from notifications where metadata->>'job_id' = $1",
      [id],
    );
    expect(isWellFormedText(note?.message ?? "\uD800")).toBe(true);
  });

  it("completes a job whose prompt has half an emoji at the notification's cut (it stayed SAVING, and webhooks got 500s)", async () => {
    const prompt = `${"a".repeat(79)}😀 and the rest of a long prompt`;
    const id = await completedImage(alice, prompt);
    const [note] = await sql<{ message: string }>(
      stack.databaseUrl,
      "select message from notifications where metadata->>'job_id' = $1",
      [id],
    );
    expect(note?.message).toBe(`1 image(s) generated for “${"a".repeat(79)}…”`);
    const refused = await sql(
      stack.databaseUrl,
      "select 1 from generator.webhook_deliveries where job_id = $1 and last_status_code >= 500",
      [id],
    );
    expect(refused).toHaveLength(0);
  });
});

describe("storage keys", () => {
  it("a signed webhook cannot hand one user's file to another, and the media route follows the folder's job", async () => {
    const aliceJob = await completedImage(alice, "alice's lighthouse");
    const result = await api(stack.webUrl, alice.token)("GET", `/api/images/${aliceJob}/result`);
    const aliceKey = present(result.data.images[0], "alice's image").url.replace(/^\/api\/media\//, "");
    const bobJob = await pendingJobOf(bob);
    const own = { file_path: `images/${bobJob}/image_1.png` };

    for (const [images, field] of [
      [[{ ...own, thumbnail_path: aliceKey }], "data.images.0.thumbnail_path"],
      [[{ file_path: aliceKey }], "data.images.0.file_path"],
      [[own, { file_path: `images/${bobJob}/../${aliceJob}/image_1.png` }], "data.images.1.file_path"],
      [[{ file_path: `/images/${bobJob}/image_1.png` }], "data.images.0.file_path"],
      [[{ file_path: `images%2F${bobJob}%2Fimage_1.png` }], "data.images.0.file_path"],
      [[{ ...own, thumbnail_path: `images/${bobJob}/image_1.png/thumb.webp` }], "data.images.0.thumbnail_path"],
    ] as const) {
      const r = await sendWebhook(completedEvent(bobJob, [...images]));
      expect([r.status, r.error.field], JSON.stringify(images)).toEqual([400, field]);
    }
    const files = await sql(stack.databaseUrl, "select 1 from media_files where generation_id = $1", [bobJob]);
    expect(files).toHaveLength(0);

    // Even a row that lists Alice's key under Bob's job (written before keys were checked) grants Bob nothing.
    await sql(
      stack.databaseUrl,
      `insert into media_files (id, generation_id, index, storage_key, thumbnail_key, size_bytes, format, width, height)
       values ($1, $2, 0, $3, $4, 10, 'PNG', 8, 8)`,
      [randomUUID(), bobJob, `images/${bobJob}/image_1.png`, aliceKey],
    );
    const media = (user: TestUser, key: string) => api(stack.webUrl, user.token)("GET", `/api/media/${key}`);
    expect((await media(bob, aliceKey)).status).toBe(404);
    expect((await media(alice, aliceKey)).status).toBe(200);
  });

  it("answers 404, not 500, for a key below an existing file, even one a row lists", async () => {
    const id = await completedImage(alice, "a kite");
    const key = `images/${id}/image_1.png`;
    await sql(stack.databaseUrl, "update media_files set thumbnail_key = $1 where generation_id = $2", [
      `${key}/thumb.webp`,
      id,
    ]);
    const r = await api(stack.webUrl, alice.token)("GET", `/api/media/${key}/thumb.webp`);
    expect([r.status, r.error.code]).toEqual([404, "not_found"]);
  });

  it("refuses two files under one key (400) rather than keep one and answer '2 images'", async () => {
    const id = await pendingJobOf(bob);
    const file = { file_path: `images/${id}/image_1.png` };
    const r = await sendWebhook(completedEvent(id, [file, file]));
    expect([r.status, r.error.field]).toEqual([400, "data.images.1.file_path"]);
    const [row] = await sql<{ status: string }>(stack.databaseUrl, "select status from generations where id = $1", [
      id,
    ]);
    expect(row?.status).toBe("PENDING");
  });
});

describe("submissions", () => {
  it("refuses, 409 naming the header, a reused Idempotency-Key whose job was deleted", async () => {
    const call = api(stack.webUrl, alice.token);
    const body = { prompt: "once", num_images: 1, size: "256x256" };
    const key = { "Idempotency-Key": `key-${randomUUID()}` };
    const first = await call("POST", "/api/images/generate", body, key);
    expect(first.status).toBe(202);
    expect((await call("DELETE", `/api/images/${first.data.job_id}`)).status).toBe(204);
    const again = await call("POST", "/api/images/generate", body, key);
    expect([again.status, again.error?.field]).toEqual([409, "Idempotency-Key"]);
  });

  it("refuses, 413 naming the field, an input image that declares ~268 megapixels in a few hundred bytes", async () => {
    const before = await jobCount(alice);
    const r = await api(stack.webUrl, alice.token)("POST", "/api/videos/generate", {
      prompt: "a slow tide",
      duration_seconds: 1,
      aspect_ratio: "1:1",
      input_image_base64: pngDeclaring(16383, 16383).toString("base64"),
    });
    expect([r.status, r.error.field]).toEqual([413, "input_image_base64"]);
    expect(await jobCount(alice)).toBe(before);
  });
});
