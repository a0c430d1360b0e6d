import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserCookie, PASSWORD } from "../security/fixtures";
import { api, fetchChecked, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type EventClient, isJobEvent, openEvents } from "../support/events";
import { type Stack, startStack } from "../support/stack";

/**
 * A live stream ends when the session it was opened with ends — signed
 * out, revoked (one session or all of them), expired, or its user removed —
 * over real HTTP, and hears nothing of the user's later changes, while a
 * stream of the same user's other session goes on.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
});
afterAll(async () => stack?.stop());

/** Another bearer session of the same user (sign-in returns a new token each time). */
async function signIn(email: string): Promise<string> {
  const res = await fetchChecked(`${stack.webUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function stream(credential: string | { cookie: string }): Promise<EventClient> {
  const s = await openEvents(stack.webUrl, credential);
  expect(s.status).toBe(200);
  await s.waitFor((m) => m.event === "snapshot", "the snapshot");
  return s;
}

/** Submits a job with `token` and waits until `witness` sees it COMPLETED. */
async function jobSeenBy(token: string, witness: EventClient): Promise<string> {
  const submit = await api(stack.webUrl, token)("POST", "/api/images/generate", {
    prompt: "a lamp left on",
    num_images: 1,
    size: "256x256",
  });
  expect(submit.status, submit.text).toBe(202);
  const id = submit.data.job_id as string;
  await witness.waitFor((m) => isJobEvent(m, id, "COMPLETED"), `job ${id} completed`);
  return id;
}

/** The stream was live, its session ended: it closes, and the next change reaches only the other session's stream. */
async function expectEnded(ended: EventClient, other: EventClient, otherToken: string): Promise<void> {
  await ended.ended;
  const heard = ended.messages.length;
  const id = await jobSeenBy(otherToken, other);
  expect(ended.messages.length).toBe(heard);
  expect(ended.messages.some((m) => isJobEvent(m, id))).toBe(false);
  other.close();
}

/** A user with two bearer sessions, a stream on each, both proven live by one job. */
async function twoStreams(): Promise<{ user: TestUser; first: EventClient; second: EventClient; token2: string }> {
  const user = await signUp(stack.webUrl, "Streamer");
  const token2 = await signIn(user.email);
  const first = await stream(user.token);
  const second = await stream(token2);
  const id = await jobSeenBy(user.token, second);
  await first.waitFor((m) => isJobEvent(m, id, "COMPLETED"), "the first stream to be live");
  return { user, first, second, token2 };
}

describe("a live stream ends with its session", () => {
  it("on sign-out (bearer)", async () => {
    const { user, first, second, token2 } = await twoStreams();
    const out = await api(stack.webUrl, user.token)("POST", "/api/auth/sign-out", {});
    expect(out.status).toBe(200);
    await expectEnded(first, second, token2);
  });

  it("on sign-out (a browser's cookie)", async () => {
    const user = await signUp(stack.webUrl, "Browser");
    const cookie = await browserCookie(stack.webUrl, user.email);
    const viaCookie = await stream({ cookie });
    const other = await stream(user.token);
    const out = await fetchChecked(`${stack.webUrl}/api/auth/sign-out`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: stack.webUrl },
      body: "{}",
    });
    expect(out.status).toBe(200);
    await expectEnded(viaCookie, other, user.token);
  });

  it("when another session revokes it (revoke-session)", async () => {
    const { user, first, second, token2 } = await twoStreams();
    const revoke = await api(stack.webUrl, token2)("POST", "/api/auth/revoke-session", { token: user.token });
    expect(revoke.status, revoke.text).toBe(200);
    await expectEnded(first, second, token2);
  });

  it("when every session is revoked (revoke-sessions): all the user's streams end", async () => {
    const { user, first, second } = await twoStreams();
    const revoke = await api(stack.webUrl, user.token)("POST", "/api/auth/revoke-sessions", {});
    expect(revoke.status, revoke.text).toBe(200);
    await first.ended;
    await second.ended;
    const again = await fetchChecked(`${stack.webUrl}/api/events`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(again.status).toBe(401);
  });

  it("when it expires (expires_at set in the past in the database)", async () => {
    const { user, first, second, token2 } = await twoStreams();
    await sql(stack.databaseUrl, "update sessions set expires_at = now() - interval '1 minute' where token = $1", [
      user.token,
    ]);
    await expectEnded(first, second, token2);
  });

  it("when its user is removed", async () => {
    const user = await signUp(stack.webUrl, "Leaving");
    const s = await stream(user.token);
    await sql(stack.databaseUrl, "delete from users where id = $1", [user.id]);
    await s.ended;
    await waitFor(async () => {
      const r = await fetchChecked(`${stack.webUrl}/api/events`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      return r.status === 401;
    }, "the removed user's token to be refused");
  });
});
