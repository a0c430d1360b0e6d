import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, type Reply, signUp, sql, type TestUser } from "../support/client";
import { type Stack, startStack } from "../support/stack";
import { isErrorBody } from "./http";

/**
 * Per-user quotas (submissions per minute, unfinished jobs at once) and the
 * sign-in limiter, on a stack started with low limits: other suites run with
 * them out of reach. Jobs here run for a minute, so they stay unfinished.
 */
const PER_MINUTE = 5;
const MAX_ACTIVE = 2;
let stack: Stack;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  stack = await startStack({
    env: {
      USER_SUBMISSIONS_PER_MINUTE: String(PER_MINUTE),
      USER_MAX_ACTIVE_JOBS: String(MAX_ACTIVE),
      LOCAL_PROVIDER_DELAY_MS: "60000",
      AUTH_RATE_LIMIT: "on",
    },
  });
  // better-auth allows 3 sign-ups per 10 s per address: exactly these three.
  alice = await signUp(stack.webUrl, "Alice");
  bob = await signUp(stack.webUrl, "Bob");
  carol = await signUp(stack.webUrl, "Carol");
});
afterAll(async () => {
  // Cancel what still runs, so the generator stops at once.
  for (const user of [alice, bob, carol].filter(Boolean)) {
    const rows = await sql<{ id: string }>(
      stack.databaseUrl,
      "select id from generations where author_id = $1 and status not in ('COMPLETED', 'FAILED', 'CANCELED')",
      [user.id],
    ).catch(() => []);
    for (const { id } of rows) {
      await api(stack.webUrl, user.token)("POST", `/api/images/${id}/cancel`);
    }
  }
  await stack?.stop();
});

const image = { prompt: "a quota test", num_images: 1, size: "256x256" };
const count = async (userId: string) =>
  Number(
    (
      await sql<{ n: string }>(stack.databaseUrl, "select count(*) as n from generations where author_id = $1", [
        userId,
      ])
    )[0]?.n,
  );

function expectRateLimited(reply: Reply<unknown>, message: RegExp): number {
  expect(reply.status).toBe(429);
  expect(isErrorBody(reply.json)).toBe(true);
  expect(reply.error.code).toBe("rate_limited");
  expect(reply.error.message).toMatch(message);
  const retryAfter = Number(reply.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`).toBe(true);
  return retryAfter;
}

describe("per-user quotas", () => {
  it("refuses more unfinished jobs than USER_MAX_ACTIVE_JOBS with 429 and Retry-After, per user", async () => {
    const call = api(stack.webUrl, alice.token);
    const accepted: string[] = [];
    for (let i = 0; i < MAX_ACTIVE; i++) {
      const r = await call("POST", "/api/images/generate", image);
      expect(r.status).toBe(202);
      accepted.push(r.data.job_id);
    }
    const before = await count(alice.id);
    expectRateLimited(await call("POST", "/api/videos/generate", { prompt: "x", duration_seconds: 1 }), /unfinished/);
    expect(await count(alice.id)).toBe(before);

    // Another user is not affected by Alice's jobs.
    expect((await api(stack.webUrl, bob.token)("POST", "/api/images/generate", image)).status).toBe(202);

    // Ending a job frees its slot.
    expect((await call("POST", `/api/images/${accepted[0]}/cancel`)).status).toBe(200);
    expect((await call("POST", "/api/images/generate", image)).status).toBe(202);
  });

  it("refuses more than USER_SUBMISSIONS_PER_MINUTE submissions in a minute, with the wait in Retry-After", async () => {
    const call = api(stack.webUrl, alice.token);
    const cancelAll = async () => {
      const rows = await sql<{ id: string }>(
        stack.databaseUrl,
        "select id from generations where author_id = $1 and status not in ('COMPLETED', 'FAILED', 'CANCELED')",
        [alice.id],
      );
      for (const { id } of rows) {
        await call("POST", `/api/images/${id}/cancel`);
      }
    };
    // Alice has submitted 3 jobs this minute; with nothing running, only the per-minute quota is left to hit.
    await cancelAll();
    for (let n = await count(alice.id); n < PER_MINUTE; n++) {
      const r = await call("POST", "/api/images/generate", image);
      expect(r.status, r.text).toBe(202);
      await cancelAll();
    }
    const before = await count(alice.id);
    expectRateLimited(await call("POST", "/api/images/generate", image), /per minute/);
    expect(await count(alice.id)).toBe(before);
  });

  it("holds under concurrent submits: exactly USER_MAX_ACTIVE_JOBS of ten simultaneous ones are accepted", async () => {
    const call = api(stack.webUrl, carol.token);
    const replies = await Promise.all(Array.from({ length: 10 }, () => call("POST", "/api/images/generate", image)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(MAX_ACTIVE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - MAX_ACTIVE);
    expect(await count(carol.id)).toBe(MAX_ACTIVE);
  });

  it("answers a retried submit (same Idempotency-Key) with its job even when the quota is full", async () => {
    const call = api(stack.webUrl, bob.token);
    const first = await call("POST", "/api/images/generate", image, { "idempotency-key": "bob-retry-1" });
    expect(first.status).toBe(202);
    // Bob now has MAX_ACTIVE unfinished jobs: a new submit is refused, the retry is not.
    expectRateLimited(await call("POST", "/api/images/generate", image), /unfinished/);
    const retry = await call("POST", "/api/images/generate", image, { "idempotency-key": "bob-retry-1" });
    expect(retry.status).toBe(202);
    expect(retry.data.job_id).toBe(first.data.job_id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("sign-in brute force", () => {
  it("is limited per client address, a forged X-Forwarded-For does not escape it, and the answer says when to retry", async () => {
    const attempt = (password: string, headers: Record<string, string> = {}) =>
      fetchChecked(`${stack.webUrl}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ email: alice.email, password }),
      });
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 15 && !limited; i++) {
      const res = await attempt(`wrong password ${i}`);
      statuses.push(res.status);
      if (res.status === 429) {
        limited = res;
      } else {
        await res.arrayBuffer();
      }
    }
    expect(
      statuses.slice(0, 10).every((s) => s === 401),
      statuses.join(","),
    ).toBe(true);
    expect(limited?.status).toBe(429);
    const body: unknown = await limited?.json();
    expect(isErrorBody(body)).toBe(true);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);

    // The right password from the same address waits too; so does one claiming another address.
    expect((await attempt("correct horse battery")).status).toBe(429);
    expect((await attempt("correct horse battery", { "x-forwarded-for": "203.0.113.77" })).status).toBe(429);
  });
});
