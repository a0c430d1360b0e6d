import { randomUUID } from "node:crypto";
import { signWebhook } from "@sorami/contracts/signature";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

/**
 * Document 000/002-format webhooks replayed at the real receiver, over HTTP:
 * what an existing backend sends, and what an attacker or a flaky network does.
 */
let stack: Stack;
let owner: TestUser;
let secret: string;
const URL_PATH = "/api/webhooks/image-completion";

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0", ADMIN_EMAILS: "root@example.test" } });
  owner = await signUp(stack.webUrl, "Owner");
  secret = secretsOf(stack.dataDir).webhookSecret;
});
afterAll(async () => stack?.stop());

/** A job row the web app created, as after a submit (not dispatched: we play the generator). */
async function pendingJob(): Promise<string> {
  const id = randomUUID();
  await sql(
    stack.databaseUrl,
    "insert into generations (id, kind, author_id, prompt, params, status) values ($1, 'image', $2, 'Un chat astronaute', '{}', 'PENDING')",
    [id, owner.id],
  );
  return id;
}

function documentPayload(jobId: string, status = "completed", extra: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    job_id: jobId,
    status,
    timestamp: now,
    environment: "development",
    ...(status === "completed"
      ? {
          data: {
            job_id: jobId,
            images: [
              {
                file_path: `images/${jobId}/image_1.png`,
                url: `http://localhost:9006/generated_images/${jobId}/image_1.png`,
                description: "Un chat astronaute dans l'espace",
                format: "PNG",
                size_bytes: 2048576,
                dimensions: "1024x1024",
              },
            ],
            metadata: {
              model_name: "gemini-2.0-flash-exp",
              version: "latest",
              generation_time_seconds: 12.5,
              input_tokens: 45,
              output_size_bytes: 2048576,
              timestamp: now,
            },
            status: "COMPLETED",
            generated_at: now,
          },
        }
      : {}),
    ...extra,
  };
}

function send(body: string, headers: Record<string, string>) {
  return api(stack.webUrl)("POST", URL_PATH, body, { "content-type": "application/json", ...headers });
}

function signed(body: string, id = `msg_${randomUUID()}`, ts = Math.floor(Date.now() / 1000), key = secret) {
  return { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": signWebhook(key, id, ts, body) };
}

const statusOf = async (id: string) => (await api(stack.webUrl, owner.token)("GET", `/api/images/${id}/status`)).data;
const fileCount = async (id: string) =>
  Number(
    (
      await sql<{ n: string }>(stack.databaseUrl, "select count(*) n from media_files where generation_id = $1", [id])
    )[0]?.n,
  );

describe("POST /api/webhooks/image-completion", () => {
  it("applies a valid signed document-format delivery and answers as document 002 says", async () => {
    const id = await pendingJob();
    const body = JSON.stringify(documentPayload(id));
    const r = await send(body, signed(body));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      success: true,
      job_id: id,
      images_count: 1,
      processing_time_ms: expect.any(Number),
    });
    expect((await statusOf(id)).status).toBe("COMPLETED");
    expect(await fileCount(id)).toBe(1);
  });

  it("refuses the documents' X-Webhook-Secret header, even the right one, unless the operator turns it on", async () => {
    // WEBHOOK_ACCEPT_LEGACY_SECRET=true accepts it (e2e/documents/backend.test.ts).
    const id = await pendingJob();
    const r = await send(JSON.stringify(documentPayload(id)), { "x-webhook-secret": secret });
    expect([r.status, r.error.code]).toEqual([401, "unauthorized"]);
    expect((await statusOf(id)).status).toBe("PENDING");
    expect(stack.allLogs()).toMatch(
      /X-Webhook-Secret is not accepted; sign with Standard Webhooks, or set WEBHOOK_ACCEPT_LEGACY_SECRET=true/,
    );
  });

  it("refuses unsigned, wrongly signed and stale deliveries with 401, changing nothing", async () => {
    const id = await pendingJob();
    const body = JSON.stringify(documentPayload(id));
    const wrong = "w".repeat(43);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const staleBody = JSON.stringify(
      documentPayload(id, "completed", { timestamp: new Date(Date.now() - 6 * 60_000).toISOString() }),
    );
    for (const [what, b, headers] of [
      ["unsigned", body, {}],
      ["wrong secret header", body, { "x-webhook-secret": wrong }],
      ["wrong signing key", body, signed(body, undefined, undefined, wrong)],
      ["tampered body", body.replace("1024x1024", "2048x2048"), signed(body)],
      ["stale timestamp", body, signed(body, undefined, stale)],
      ["future timestamp", body, signed(body, undefined, future)],
      ["stale legacy delivery", staleBody, { "x-webhook-secret": secret }],
    ] as const) {
      const r = await send(b, headers);
      expect([r.status, r.error?.code], what).toEqual([401, "unauthorized"]);
    }
    expect((await statusOf(id)).status).toBe("PENDING");
    expect(await fileCount(id)).toBe(0);
  });

  it("applies the same delivery once when it arrives ten times at once", async () => {
    const id = await pendingJob();
    const body = JSON.stringify(documentPayload(id));
    const headers = signed(body);
    const results = await Promise.all(Array.from({ length: 10 }, () => send(body, headers)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.data.images_count === 1)).toHaveLength(1);
    expect(results.filter((r) => r.data.message === "Job already processed")).toHaveLength(9);
    expect(await fileCount(id)).toBe(1);
    const notes = await sql(stack.databaseUrl, "select * from notifications where metadata->>'job_id' = $1", [id]);
    expect(notes).toHaveLength(1);
  });

  it("keeps the job moving forward when deliveries arrive out of order", async () => {
    const id = await pendingJob();
    const deliver = (status: string, progress?: number) => {
      const body = JSON.stringify(documentPayload(id, status, progress ? { progress, message: status } : {}));
      return send(body, signed(body));
    };
    expect((await deliver("saving", 90)).status).toBe(200);
    expect((await deliver("initializing", 25)).status).toBe(200);
    expect(await statusOf(id)).toMatchObject({ status: "SAVING", progress: 90 });
    expect((await deliver("completed")).status).toBe(200);
    expect((await deliver("generating", 60)).status).toBe(200);
    expect(await statusOf(id)).toMatchObject({ status: "COMPLETED", progress: 100 });
  });

  it("answers 400 when a completed delivery has no images", async () => {
    const id = await pendingJob();
    for (const data of [undefined, { job_id: id, images: [] }]) {
      const body = JSON.stringify({ ...documentPayload(id, "completed"), data });
      const r = await send(body, signed(body));
      expect([r.status, r.error.field]).toEqual([400, "data.images"]);
    }
    expect((await statusOf(id)).status).toBe("PENDING");
  });

  it("stores a failure with its message and notifies the owner", async () => {
    const id = await pendingJob();
    const body = JSON.stringify(
      documentPayload(id, "failed", {
        error_message: "Erreur lors de la génération: Quota API dépassé",
        message: "La génération a échoué",
      }),
    );
    expect((await send(body, signed(body))).status).toBe(200);
    expect(await statusOf(id)).toMatchObject({
      status: "FAILED",
      error: "Erreur lors de la génération: Quota API dépassé",
    });
    const notes = await api(stack.webUrl, owner.token)("GET", "/api/notifications");
    expect(notes.data.notifications.some((n) => n.type === "IMAGE_FAILED" && n.metadata?.job_id === id)).toBe(true);
  });

  it("refuses a delivery for an unknown job unless its user_id names a real user — never 'the first user'", async () => {
    const before = Number((await sql<{ n: string }>(stack.databaseUrl, "select count(*) n from generations"))[0]?.n);
    const unknown = randomUUID();
    for (const extra of [{}, { user_id: "no-such-user" }]) {
      const body = JSON.stringify(documentPayload(unknown, "completed", extra));
      const r = await send(body, signed(body));
      expect([r.status, r.error.code]).toEqual([404, "not_found"]);
    }
    expect(Number((await sql<{ n: string }>(stack.databaseUrl, "select count(*) n from generations"))[0]?.n)).toBe(
      before,
    );
  });

  it("refuses a body over the limit and malformed JSON without a 5xx", async () => {
    const huge = JSON.stringify({ job_id: "x", status: "completed", pad: "a".repeat(2 * 1024 * 1024) });
    expect((await send(huge, signed(huge))).status).toBe(413);
    const bad = "{not json";
    const r = await send(bad, signed(bad));
    expect([r.status, r.error.code]).toEqual([400, "invalid_json"]);
    const wrongShape = JSON.stringify({ job_id: "../etc", status: "done" });
    expect((await send(wrongShape, signed(wrongShape))).status).toBe(400);
  });
});

describe("POST /api/admin/webhooks/{delivery}/redeliver", () => {
  it("is for admins only, and puts a dead-lettered delivery back on its way", async () => {
    const admin = await signUp(stack.webUrl, "Root", "root@example.test");
    const id = await pendingJob();
    // A delivery the generator gave up on (its schedule spent while the web app was away).
    await sql(
      stack.databaseUrl,
      "insert into generator.webhook_deliveries (id, job_id, event, url, body, state, attempts) values ('msg_deadletter1', $1, 'completed', $2, $3, 'dead', 8)",
      [
        id,
        `${stack.webUrl.replace("localhost", "127.0.0.1")}${URL_PATH}`,
        JSON.stringify({ ...documentPayload(id), user_id: owner.id }),
      ],
    );
    const path = "/api/admin/webhooks/msg_deadletter1/redeliver";
    expect((await api(stack.webUrl)("POST", path)).status).toBe(401);
    expect((await api(stack.webUrl, owner.token)("POST", path)).status).toBe(403);
    expect((await api(stack.webUrl, admin.token)("POST", "/api/admin/webhooks/msg_nosuch/redeliver")).status).toBe(404);
    const r = await api(stack.webUrl, admin.token)("POST", path);
    expect([r.status, r.data.state]).toEqual([200, "pending"]);
    await waitFor(async () => (await statusOf(id)).status === "COMPLETED", "the redelivered webhook to apply");
    expect(await fileCount(id)).toBe(1);
  });
});
