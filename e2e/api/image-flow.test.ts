import { randomUUID } from "node:crypto";
import { NUM_IMAGES_MAX, PROMPT_MAX_LENGTH, SUBMIT_BODY_MAX_BYTES } from "@sorami/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  fetchChecked,
  fetchGenerator,
  present,
  secretsOf,
  signUp,
  sql,
  type TestUser,
  waitFor,
} from "../support/client";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // Metrics off, as by default (no METRICS_TOKEN): the flow must not need them.
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0", METRICS_TOKEN: "" } });
  alice = await signUp(stack.webUrl, "Alice");
  bob = await signUp(stack.webUrl, "Bob");
});
afterAll(async () => stack?.stop());

async function untilTerminal(token: string, jobId: string) {
  const call = api(stack.webUrl, token);
  return waitFor(async () => {
    const r = await call("GET", `/api/images/${jobId}/status`);
    return ["COMPLETED", "FAILED"].includes(r.data?.status) ? r.data : null;
  }, `job ${jobId} to finish`);
}

const countGenerations = async () =>
  Number((await sql<{ n: string }>(stack.databaseUrl, "select count(*) as n from generations"))[0]?.n);

describe("without METRICS_TOKEN (the default)", () => {
  it("has no /metrics on either service: a 404, whatever credentials are sent", async () => {
    for (const base of [stack.webUrl, stack.generatorUrl]) {
      for (const headers of [{}, { authorization: `Bearer ${"x".repeat(43)}` }] as Record<string, string>[]) {
        const res = await fetch(`${base}/metrics`, { headers });
        expect(res.status, base).toBe(404);
        expect((await res.json()).error.code).toBe("not_found");
      }
    }
  });
});

describe("image generation through the HTTP API", () => {
  it("runs a job from submit to files, gallery and notification", async () => {
    const call = api(stack.webUrl, alice.token);
    const submit = await call("POST", "/api/images/generate", {
      prompt: "a lighthouse at dusk",
      num_images: 2,
      size: "512x512",
      format: "WEBP",
      style: "watercolor",
      quality: "high",
    });
    expect(submit.status).toBe(202);
    expect(submit.json).toMatchObject({
      status: "PENDING",
      job_id: expect.any(String),
      created_at: expect.any(String),
    });
    const jobId: string = submit.data.job_id;

    const final = await untilTerminal(alice.token, jobId);
    expect(final).toMatchObject({ job_id: jobId, status: "COMPLETED", progress: 100, error: null });

    const result = await call("GET", `/api/images/${jobId}/result`);
    expect(result.status).toBe(200);
    expect(result.data.images).toHaveLength(2);
    expect(result.data.prompt).toBe("a lighthouse at dusk");
    for (const image of result.data.images) {
      expect(image).toMatchObject({ format: "WEBP", width: 512, height: 512, description: "a lighthouse at dusk" });
      const file = await fetchChecked(`${stack.webUrl}${image.url}`, {
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(file.status).toBe(200);
      expect(file.headers.get("content-type")).toBe("image/webp");
      const bytes = Buffer.from(await file.arrayBuffer());
      expect(bytes.length).toBe(image.size_bytes);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", 512, 512]);
      // Bob cannot read Alice's file, nor can an anonymous caller.
      expect(
        (await fetchChecked(`${stack.webUrl}${image.url}`, { headers: { authorization: `Bearer ${bob.token}` } }))
          .status,
      ).toBe(404);
      expect((await fetchChecked(`${stack.webUrl}${image.url}`)).status).toBe(401);
    }

    // Filed under Alice's personal organization, created at sign-up.
    const [row] = await sql<{ org: string | null; role: string | null }>(
      stack.databaseUrl,
      "select g.organization_id as org, m.role from generations g left join members m on m.organization_id = g.organization_id and m.user_id = g.author_id where g.id = $1",
      [jobId],
    );
    expect(row).toMatchObject({ org: expect.any(String), role: "owner" });

    const gallery = await call("GET", "/api/images/user?limit=10");
    expect(gallery.data.generations.map((g: { job_id: string }) => g.job_id)).toContain(jobId);

    const notes = await call("GET", "/api/notifications");
    const note = present(
      notes.data.notifications.find((n) => n.metadata?.job_id === jobId),
      "the job's notification",
    );
    expect(note).toMatchObject({ type: "IMAGE_COMPLETED", read_at: null });
    const unread = notes.data.unread_count;
    expect((await call("POST", `/api/notifications/${note.id}/read`)).status).toBe(200);
    expect((await call("GET", "/api/notifications")).data.unread_count).toBe(unread - 1);
    // Bob cannot mark Alice's notification.
    expect((await api(stack.webUrl, bob.token)("POST", `/api/notifications/${note.id}/read`)).status).toBe(404);
  });

  it("keeps every job private to its owner: 401 without a session, 404 for another user", async () => {
    const submit = await api(stack.webUrl, alice.token)("POST", "/api/images/generate", {
      prompt: "private",
      size: "256x256",
    });
    const jobId = submit.data.job_id;
    const anon = api(stack.webUrl);
    const asBob = api(stack.webUrl, bob.token);
    for (const route of [
      `/api/images/${jobId}/status`,
      `/api/images/${jobId}/result`,
      "/api/images/user",
      "/api/notifications",
    ]) {
      const r = await anon("GET", route);
      expect(r.status, route).toBe(401);
      expect(r.error.code).toBe("unauthorized");
    }
    expect((await anon("POST", "/api/images/generate", { prompt: "x" })).status).toBe(401);
    for (const route of [`/api/images/${jobId}/status`, `/api/images/${jobId}/result`]) {
      const r = await asBob("GET", route);
      expect(r.status, route).toBe(404);
      expect(r.error.code).toBe("not_found");
    }
    const bobs = await asBob("GET", "/api/images/user");
    expect(bobs.data.generations.map((g: { job_id: string }) => g.job_id)).not.toContain(jobId);
  });

  it("pages the gallery by keyset, newest first, with no gaps or repeats", async () => {
    const carol = await signUp(stack.webUrl, "Carol");
    const call = api(stack.webUrl, carol.token);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await call("POST", "/api/images/generate", { prompt: `page ${i}`, size: "256x256" })).data.job_id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${cursor}` : "";
      const r = await call("GET", `/api/images/user?limit=2${after}`);
      expect(r.status).toBe(200);
      expect(r.data.generations.length).toBeLessThanOrEqual(2);
      seen.push(...r.data.generations.map((g: { job_id: string }) => g.job_id));
      cursor = r.data.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const bad = await call("GET", "/api/images/user?cursor=not-a-cursor");
    expect([bad.status, bad.error.field]).toEqual([400, "cursor"]);
    const tooMany = await call("GET", "/api/images/user?limit=1000");
    expect([tooMany.status, tooMany.error.field]).toEqual([400, "limit"]);
  });

  it("returns the same job for a retried submit with the same Idempotency-Key", async () => {
    const call = api(stack.webUrl, alice.token);
    const key = randomUUID();
    const body = { prompt: "idempotent", size: "256x256" };
    const before = await countGenerations();
    const [a, b] = await Promise.all([
      call("POST", "/api/images/generate", body, { "idempotency-key": key }),
      call("POST", "/api/images/generate", body, { "idempotency-key": key }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.data.job_id).toBe(b.data.job_id);
    expect(await countGenerations()).toBe(before + 1);
    const reused = await call("POST", "/api/images/generate", { ...body, prompt: "other" }, { "idempotency-key": key });
    expect([reused.status, reused.error.code]).toEqual([422, "idempotency_key_reused"]);
    // The same key is Bob's own: it does not collide with Alice's.
    const bobs = await api(stack.webUrl, bob.token)("POST", "/api/images/generate", body, { "idempotency-key": key });
    expect(bobs.data.job_id).not.toBe(a.data.job_id);
  });

  it("refuses bad input with a 4xx naming the field, and writes nothing", async () => {
    const call = api(stack.webUrl, alice.token);
    const before = await countGenerations();
    const cases: [unknown, number, string, string?][] = [
      [{ prompt: "a".repeat(PROMPT_MAX_LENGTH + 1) }, 400, "invalid_request", "prompt"],
      [{ prompt: "x", num_images: NUM_IMAGES_MAX + 1 }, 400, "invalid_request", "num_images"],
      [{ prompt: "x", size: "9999x9999" }, 400, "invalid_request", "size"],
      [{ prompt: "x", format: "BMP" }, 400, "invalid_request", "format"],
      [{ prompt: "x", input_image_url: "ftp://x" }, 400, "invalid_request", "input_image_url"],
      [{ prompt: "x", extra: 1 }, 400, "invalid_request", "extra"],
      [{}, 400, "invalid_request", "prompt"],
      ["{not json", 400, "invalid_json"],
      [JSON.stringify({ prompt: "a".repeat(SUBMIT_BODY_MAX_BYTES) }), 413, "payload_too_large"],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await call("POST", "/api/images/generate", body);
      expect([r.status, r.error?.code, r.error?.field], JSON.stringify(body).slice(0, 60)).toEqual([
        status,
        code,
        field,
      ]);
    }
    // A bearer request's body is read as JSON whatever type it declares (document 004's `curl -d`), so a
    // form body is refused as JSON; a cookie request with the wrong type is a 415 (e2e/security/csrf-matrix).
    const formBody = await call("POST", "/api/images/generate", "prompt=x", { "content-type": "text/plain" });
    expect([formBody.status, formBody.error.code]).toEqual([400, "invalid_json"]);
    expect(await countGenerations()).toBe(before);
    expect((await fetchChecked(`${stack.webUrl}/api/health`)).status).toBe(200);
  });
});

describe("sign-in for scripts and browsers", () => {
  const signIn = (headers: Record<string, string>) =>
    fetchChecked(`${stack.webUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email: alice.email, password: "correct horse battery" }),
    });

  it("lets a script sign in with Node's fetch headers and use the token", async () => {
    const r = await signIn({ "sec-fetch-mode": "cors", "sec-fetch-site": "same-origin" });
    expect(r.status).toBe(200);
    const { token } = (await r.json()) as { token: string };
    expect((await api(stack.webUrl, token)("GET", "/api/notifications")).status).toBe(200);
  });

  it("still refuses a browser sign-in from a foreign origin", async () => {
    const r = await signIn({
      origin: "https://evil.example",
      "sec-fetch-mode": "cors",
      "sec-fetch-site": "cross-site",
    });
    expect(r.status).toBe(403);
  });
});

describe("the generator service", () => {
  it("honours the caller's job_id, never runs it twice, and requires the service key", async () => {
    const { serviceKey } = secretsOf(stack.dataDir);
    const jobId = `test-job-${randomUUID().slice(0, 8)}`;
    const body = { prompt: "Un chat mignon test", job_id: jobId, user_id: alice.id, num_images: 1, size: "256x256" };
    const post = (headers: Record<string, string>) =>
      fetchGenerator(`${stack.generatorUrl}/api/images/generate`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: "Bearer wrong-key-wrong-key-wrong-key-wrong" })).status).toBe(401);
    const first = await post({ authorization: `Bearer ${serviceKey}` });
    expect(first.status).toBe(202);
    expect(((await first.json()) as { job_id: string }).job_id).toBe(jobId);
    const again = await post({ authorization: `Bearer ${serviceKey}` });
    expect(((await again.json()) as { job_id: string }).job_id).toBe(jobId);

    // The web app never saw this job: the signed webhook names Alice, so it becomes hers — and only hers.
    const final = await untilTerminal(alice.token, jobId);
    expect(final.status).toBe("COMPLETED");
    expect((await api(stack.webUrl, bob.token)("GET", `/api/images/${jobId}/status`)).status).toBe(404);
    const runs = await sql<{ attempts: number }>(
      stack.databaseUrl,
      "select attempts from generator.jobs where id = $1",
      [jobId],
    );
    expect(runs[0]?.attempts).toBe(1);
    const files = await sql(stack.databaseUrl, "select * from media_files where generation_id = $1", [jobId]);
    expect(files).toHaveLength(1);
  });
});
