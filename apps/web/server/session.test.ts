import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
let dataDir: string;
let mod: {
  auth: typeof import("./auth").auth;
  getSessionUser: typeof import("./session").getSessionUser;
  authenticate: typeof import("./session").authenticate;
};

beforeAll(async () => {
  t = await startTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-session-test-"));
  // The web app's env module reads these on first use.
  process.env.DATABASE_URL = t.url;
  process.env.DATA_DIR = dataDir;
  process.env.AUTH_RATE_LIMIT = "off";
  const session = await import("./session");
  mod = {
    auth: (await import("./auth")).auth,
    getSessionUser: session.getSessionUser,
    authenticate: session.authenticate,
  };
});
afterAll(async () => {
  const { pool } = await import("./db");
  await pool().end();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signUp() {
  const email = `u-${Math.random().toString(36).slice(2)}@example.test`;
  const res = await mod.auth().api.signUpEmail({ body: { name: "Ann", email, password: "correct horse battery" } });
  return { email, token: (res as { token: string }).token };
}
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
const sessionRow = async (token: string) =>
  (await t.db.select().from(schema.sessions).where(eq(schema.sessions.token, token)))[0];

describe("getSessionUser", () => {
  it("resolves a plain bearer token to its user, as better-auth does", async () => {
    const { email, token } = await signUp();
    const user = await mod.getSessionUser(bearer(token));
    expect(user).toMatchObject({ name: "Ann", email, role: "user" });
    const viaAuth = await mod.auth().api.getSession({ headers: bearer(token) });
    expect(user?.id).toBe(viaAuth?.user.id);
  });

  it("refuses an unknown token, and a session deleted by sign-out on the very next request", async () => {
    expect(await mod.getSessionUser(bearer("no-such-token-aaaaaaaaaaaaaaaaaaaa"))).toBeNull();
    const { token } = await signUp();
    expect(await mod.getSessionUser(bearer(token))).not.toBeNull();
    await mod.auth().api.signOut({ headers: bearer(token) });
    expect(await sessionRow(token)).toBeUndefined();
    expect(await mod.getSessionUser(bearer(token))).toBeNull();
  });

  it("refuses an expired session and leaves better-auth to delete it", async () => {
    const { token } = await signUp();
    await t.db
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(schema.sessions.token, token));
    expect(await mod.getSessionUser(bearer(token))).toBeNull();
    expect(await sessionRow(token)).toBeUndefined();
  });

  it("lets better-auth extend a session due for it (a day after its last extension)", async () => {
    const { token } = await signUp();
    const dueAt = new Date(Date.now() + 24 * 3600_000); // 6 of its 7 days gone
    await t.db.update(schema.sessions).set({ expiresAt: dueAt }).where(eq(schema.sessions.token, token));
    expect(await mod.getSessionUser(bearer(token))).not.toBeNull();
    const extended = await sessionRow(token);
    expect(extended?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
  });

  it("still accepts the signed session cookie a browser sends", async () => {
    const { email } = await signUp();
    const res = await mod.auth().api.signInEmail({
      body: { email, password: "correct horse battery" },
      asResponse: true,
    });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/session_token=.+\..+/);
    expect(await mod.getSessionUser(new Headers({ cookie }))).toMatchObject({ email });
  });
});

/** A browser's session cookie for a fresh user. */
async function cookieOf(email: string): Promise<string> {
  const res = await mod
    .auth()
    .api.signInEmail({ body: { email, password: "correct horse battery" }, asResponse: true });
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

describe("one credential per request", () => {
  it("names the session and the credential it came by", async () => {
    const { email, token } = await signUp();
    const byBearer = await mod.authenticate(bearer(token));
    expect(byBearer).toMatchObject({ via: "bearer", user: { email } });
    expect(byBearer?.session.id).toBe((await sessionRow(token))?.id);
    const cookie = await cookieOf(email);
    const byCookie = await mod.authenticate(new Headers({ cookie }));
    expect(byCookie).toMatchObject({ via: "cookie", user: { email } });
    expect(byCookie?.session.id).not.toBe(byBearer?.session.id);
  });

  it("never falls back to the cookie when the Authorization header is not a session", async () => {
    const { email } = await signUp();
    const cookie = await cookieOf(email);
    const signed = decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));
    const refused = [
      "Bearer x.y",
      "Bearer not-a-session-token-aaaaaaaaaaaa",
      `Bearer ${signed.slice(0, -2)}AA`, // the signed cookie value with its signature changed
      `Basic ${Buffer.from(`${email}:correct horse battery`).toString("base64")}`,
      "",
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "bearer\ttoken",
      "Token abc",
    ];
    for (const authorization of refused) {
      expect(
        await mod.getSessionUser(new Headers({ cookie, authorization })),
        JSON.stringify(authorization),
      ).toBeNull();
    }
  });

  it("takes the bearer's user, not the cookie's, when both are sessions", async () => {
    const a = await signUp();
    const b = await signUp();
    const cookie = await cookieOf(a.email);
    expect(await mod.getSessionUser(new Headers({ cookie, authorization: `Bearer ${b.token}` }))).toMatchObject({
      email: b.email,
    });
  });

  it("accepts the signed cookie value as a bearer token, encoded or not", async () => {
    const { email } = await signUp();
    const cookie = await cookieOf(email);
    const value = cookie.slice(cookie.indexOf("=") + 1);
    expect(await mod.getSessionUser(bearer(value))).toMatchObject({ email });
    expect(await mod.getSessionUser(bearer(decodeURIComponent(value)))).toMatchObject({ email });
  });
});
