import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchChecked, sql, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";
import { ADMIN_EMAIL, createFixtures, type Fixtures, PASSWORD, type Principal, snapshotTables } from "./fixtures";
import { isErrorBody, type Reply, send } from "./http";
import { type Probe, ROUTES, type RouteEntry } from "./routes";

/**
 * One credential per request, on every signed-in route of the security
 * table: each request is sent with every combination of
 *   a cookie (none, the caller's, a forged one),
 *   an Authorization header (none, the caller's bearer token, an invalid Bearer, Basic, empty, malformed),
 *   where it says it comes from (this site, another Origin, no Origin, another site's Referer),
 * and must get exactly the status the rule gives: an Authorization header
 * authenticates alone (the caller's token works from anywhere; any other
 * value is a 401, whatever cookie comes with it); without one, a cookie
 * request that changes something must come from this site (403), then be a
 * session (401). Every refused request changes no row of either service.
 */
let stack: Stack;
let f: Fixtures;

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0", ADMIN_EMAILS: ADMIN_EMAIL } });
  f = await createFixtures(stack);
});
afterAll(async () => stack?.stop());

const EVIL = "https://evil.example";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type CookieKind = "no cookie" | "valid cookie" | "forged cookie";
type AuthorizationKind = "no Authorization" | "valid bearer" | "invalid Bearer" | "Basic" | "empty" | "malformed";
type OriginKind = "same Origin" | "foreign Origin" | "no Origin" | "foreign Referer";
const COOKIES: CookieKind[] = ["no cookie", "valid cookie", "forged cookie"];
const AUTHORIZATIONS: AuthorizationKind[] = [
  "no Authorization",
  "valid bearer",
  "invalid Bearer",
  "Basic",
  "empty",
  "malformed",
];
const ORIGINS: OriginKind[] = ["same Origin", "foreign Origin", "no Origin", "foreign Referer"];

type Cell = { cookie: CookieKind; authorization: AuthorizationKind; origin: OriginKind };
const CELLS: Cell[] = COOKIES.flatMap((cookie) =>
  AUTHORIZATIONS.flatMap((authorization) => ORIGINS.map((origin) => ({ cookie, authorization, origin }))),
);
const label = (c: Cell) => `${c.cookie} + ${c.authorization} + ${c.origin}`;

/** The rule: "ok" when the caller is let through, else the refusal's status. */
function expected(c: Cell, method: string): "ok" | 401 | 403 {
  if (c.authorization !== "no Authorization") {
    return c.authorization === "valid bearer" ? "ok" : 401;
  }
  if (c.cookie === "no cookie") {
    return 401;
  }
  if (UNSAFE.has(method) && c.origin !== "same Origin") {
    return 403;
  }
  return c.cookie === "valid cookie" ? "ok" : 401;
}

function headersFor(c: Cell, caller: Principal): Record<string, string> {
  const headers: Record<string, string> = {};
  const cookie = {
    "no cookie": null,
    "valid cookie": caller.cookie,
    "forged cookie": "better-auth.session_token=forged.forged",
  }[c.cookie];
  if (cookie) {
    headers.cookie = cookie;
  }
  const authorization = {
    "no Authorization": null,
    "valid bearer": `Bearer ${caller.token}`,
    "invalid Bearer": "Bearer x.y",
    // The right password, in a scheme Sorami does not take.
    Basic: `Basic ${Buffer.from(`${caller.email}:${PASSWORD}`).toString("base64")}`,
    empty: "",
    malformed: "Bearer  not a token",
  }[c.authorization];
  if (authorization !== null) {
    headers.authorization = authorization;
  }
  const origin: Record<string, string> = {
    "same Origin": { origin: stack.webUrl },
    "foreign Origin": { origin: EVIL },
    "no Origin": {},
    "foreign Referer": { referer: `${EVIL}/a-page` },
  }[c.origin];
  return { ...headers, ...origin };
}

const callerOf = (entry: RouteEntry): Principal => (entry.auth === "admin" ? f.admin : f.owner);

/** A finished job of the owner's, written straight to the database: a DELETE that goes through removes one. */
async function spareJob(kind: "image" | "video"): Promise<string> {
  const id = randomUUID();
  await sql(
    stack.databaseUrl,
    "insert into generations (id, kind, author_id, prompt, params, status, progress) values ($1, $2, $3, 'a spare', '{}', 'COMPLETED', 100)",
    [id, kind, f.owner.id],
  );
  return id;
}

/** A library resource of the owner's, made through the API; its id. */
async function ownersNew(path: "/api/collections" | "/api/shares", body: Record<string, unknown>): Promise<string> {
  const reply = await send(stack.webUrl, "POST", path, {
    headers: { "content-type": "application/json", authorization: `Bearer ${f.owner.token}` },
    body: JSON.stringify(body),
  });
  expect(reply.status, reply.text).toBe(201);
  return (JSON.parse(reply.text) as { id: string }).id;
}

/**
 * The probe's path. A DELETE that removes a thing gets one of its own for each cell (the probe's
 * own URL would take a shared spare, gone after the first cell); removing a star or a collection
 * item is idempotent, so the probe's own URL serves every cell.
 */
async function pathOf(probe: Probe, entry: RouteEntry): Promise<string> {
  if (probe.method !== "DELETE" || !probe.pathId) {
    return probe.url(f);
  }
  if (entry.path === "/api/collections/[id]") {
    return probe.pathId.build(await ownersNew("/api/collections", { name: `matrix ${randomUUID()}` }));
  }
  if (entry.path === "/api/shares/[id]") {
    return probe.pathId.build(await ownersNew("/api/shares", { generation_id: f.imageJob, expires_in_seconds: null }));
  }
  if (entry.path.startsWith("/api/favorites/") || entry.path.startsWith("/api/collections/")) {
    return probe.url(f); // removing a star or a collection item again changes nothing: idempotent
  }
  return probe.pathId.build(await spareJob(entry.path.startsWith("/api/videos") ? "video" : "image"));
}

function sendCell(entry: RouteEntry, probe: Probe, path: string, c: Cell): Promise<Reply> {
  const body = probe.body ? JSON.stringify(probe.body.sample(f)) : undefined;
  return send(stack.webUrl, probe.method, path, {
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...headersFor(c, callerOf(entry)) },
    body,
    headersOnly: probe.stream,
  });
}

function expectOk(reply: Reply, probe: Probe, what: string): void {
  const ok = probe.ownerStatus ? reply.status === probe.ownerStatus : reply.status >= 200 && reply.status < 300;
  expect(ok, `${what}: got ${reply.status} ${reply.text.slice(0, 200)}`).toBe(true);
}

/** Waits until nothing changes in either service's tables (jobs finished, webhooks delivered). */
async function quiet(): Promise<void> {
  let last = await snapshotTables(stack.databaseUrl);
  await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 300));
    const now = await snapshotTables(stack.databaseUrl);
    const same = JSON.stringify(now) === JSON.stringify(last);
    last = now;
    return same;
  }, "the database to settle");
}

const signedIn = ROUTES.filter((e) => e.service === "web" && (e.auth === "user" || e.auth === "admin"));
const unsafe = signedIn.flatMap((entry) =>
  entry.probes.filter((p) => UNSAFE.has(p.method)).map((probe) => ({ entry, probe })),
);
const safe = signedIn.flatMap((entry) =>
  entry.probes.filter((p) => !UNSAFE.has(p.method)).map((probe) => ({ entry, probe })),
);

describe("refused cells change nothing", () => {
  it("covers every unsafe signed-in route of the table", () => {
    expect(unsafe.length).toBeGreaterThanOrEqual(11);
    expect(CELLS).toHaveLength(72);
  });

  for (const { entry, probe } of unsafe) {
    it(`${probe.method} ${entry.path}`, async () => {
      await quiet();
      // Refused requests all aim at the same resource: had any gone through, it would show in the tables.
      const path = await pathOf(probe, entry);
      const withTarget = await snapshotTables(stack.databaseUrl);
      for (const c of CELLS.filter((cell) => expected(cell, probe.method) !== "ok")) {
        const reply = await sendCell(entry, probe, path, c);
        const what = `${probe.method} ${path} with ${label(c)}`;
        expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBe(expected(c, probe.method));
        expect(isErrorBody(reply.json), `${what}: error body`).toBe(true);
      }
      expect(await snapshotTables(stack.databaseUrl), `a refused ${probe.method} ${entry.path} changed a row`).toEqual(
        withTarget,
      );
    });
  }
});

describe("allowed cells go through as the caller", () => {
  for (const { entry, probe } of unsafe) {
    it(`${probe.method} ${entry.path}`, async () => {
      for (const c of CELLS.filter((cell) => expected(cell, probe.method) === "ok")) {
        const path = await pathOf(probe, entry);
        expectOk(await sendCell(entry, probe, path, c), probe, `${probe.method} ${path} with ${label(c)}`);
      }
    });
  }
});

describe("reads follow the same credential rule (origin aside)", () => {
  for (const { entry, probe } of safe) {
    it(`${probe.method} ${entry.path}`, async () => {
      const path = probe.url(f);
      for (const c of CELLS.filter((cell) => cell.origin === "foreign Origin")) {
        const reply = await sendCell(entry, probe, path, c);
        const what = `${probe.method} ${path} with ${label(c)}`;
        const want = expected(c, probe.method);
        if (want === "ok") {
          expectOk(reply, probe, what);
        } else {
          expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBe(want);
        }
      }
    });
  }
});

describe("better-auth's own endpoints", () => {
  /** A user of this test alone, with a fresh bearer session and a fresh browser session. */
  async function freshUser(): Promise<Principal & { name: string }> {
    const email = `matrix-${randomUUID()}@example.test`;
    const res = await fetchChecked(`${stack.webUrl}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Matrix", email, password: PASSWORD }),
    });
    const body = (await res.json()) as { token: string; user: { id: string } };
    const signIn = await fetchChecked(`${stack.webUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.webUrl },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie =
      signIn.headers
        .getSetCookie()
        .map((s) => s.split(";")[0] ?? "")
        .find((s) => s.includes("session_token=")) ?? "";
    return { id: body.user.id, email, token: body.token, cookie, name: "Matrix" };
  }
  const nameOf = async (id: string) =>
    (await sql<{ name: string }>(stack.databaseUrl, "select name from users where id = $1", [id]))[0]?.name;

  it("update-user: the same rule, and a refused change leaves the name as it was", async () => {
    const user = await freshUser();
    let current = user.name;
    for (const c of CELLS) {
      const name = `Matrix ${randomUUID().slice(0, 8)}`;
      const reply = await send(stack.webUrl, "POST", "/api/auth/update-user", {
        headers: { "content-type": "application/json", ...headersFor(c, user) },
        body: JSON.stringify({ name }),
      });
      const what = `update-user with ${label(c)}`;
      const want = expected(c, "POST");
      if (want === "ok") {
        expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBe(200);
        current = name;
      } else {
        expect(reply.status, `${what}: ${reply.text.slice(0, 200)}`).toBe(want);
      }
      expect(await nameOf(user.id), what).toBe(current);
    }
  });

  it("sign-out with a cookie and any Authorization header that is not a session signs nothing out", async () => {
    const user = await freshUser();
    for (const authorization of ["Bearer x.y", "Basic Zm9vOmJhcg==", "", "Bearer  not a token"]) {
      const origins: Record<string, string>[] = [{ origin: EVIL }, { origin: stack.webUrl }, {}];
      for (const origin of origins) {
        const reply = await send(stack.webUrl, "POST", "/api/auth/sign-out", {
          headers: { "content-type": "application/json", cookie: user.cookie, authorization, ...origin },
          body: "{}",
        });
        expect(reply.status).toBeLessThan(500);
        const still = await send(stack.webUrl, "GET", "/api/auth/get-session", { headers: { cookie: user.cookie } });
        expect(still.data?.user?.id, `sign-out with ${JSON.stringify({ authorization, ...origin })}`).toBe(user.id);
      }
    }
    // A valid bearer signs out its own session, never the cookie's.
    const out = await send(stack.webUrl, "POST", "/api/auth/sign-out", {
      headers: { "content-type": "application/json", cookie: user.cookie, authorization: `Bearer ${user.token}` },
      body: "{}",
    });
    expect(out.status).toBe(200);
    const bearerGone = await send(stack.webUrl, "GET", "/api/auth/get-session", {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(bearerGone.json).toBeNull();
    const cookieKept = await send(stack.webUrl, "GET", "/api/auth/get-session", { headers: { cookie: user.cookie } });
    expect(cookieKept.data?.user?.id).toBe(user.id);
  });

  it("get-session answers for the Authorization header alone when there is one", async () => {
    const user = await freshUser();
    for (const authorization of ["Bearer x.y", "Basic Zm9vOmJhcg==", "", "Bearer  not a token"]) {
      const reply = await send(stack.webUrl, "GET", "/api/auth/get-session", {
        headers: { cookie: user.cookie, authorization },
      });
      expect(reply.json, JSON.stringify(authorization)).toBeNull();
    }
  });
});

describe("a JSON body's declared type", () => {
  const submit = (headers: Record<string, string>, body = '{"prompt": "test"}') =>
    send(stack.webUrl, "POST", "/api/images/generate", { headers, body });

  it("does not matter on a bearer request: document 004's curl, as written, submits a job", async () => {
    // curl -d sends Content-Type: application/x-www-form-urlencoded.
    const { stdout } = await promisify(execFile)("curl", [
      "-s",
      "-w",
      "\n%{http_code}",
      "-X",
      "POST",
      `${stack.webUrl}/api/images/generate`,
      "-H",
      `Authorization: Bearer ${f.owner.token}`,
      "-d",
      '{"prompt": "test"}',
    ]);
    const [body, status] = [stdout.slice(0, stdout.lastIndexOf("\n")), stdout.slice(stdout.lastIndexOf("\n") + 1)];
    expect(status, body).toBe("202");
    const [row] = await sql<{ prompt: string; author_id: string }>(
      stack.databaseUrl,
      "select prompt, author_id from generations where id = $1",
      [JSON.parse(body).job_id],
    );
    expect(row).toEqual({ prompt: "test", author_id: f.owner.id });

    const bearer = { authorization: `Bearer ${f.owner.token}` };
    for (const type of [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const reply = await submit({ ...bearer, ...(type ? { "content-type": type } : {}) });
      expect(reply.status, `${type}: ${reply.text}`).toBe(202);
    }
    // Still JSON: a real form body is refused as such.
    const form = await submit({ ...bearer, "content-type": "application/x-www-form-urlencoded" }, "prompt=test");
    expect(form.status).toBe(400);
    expect(form.error.code).toBe("invalid_json");
  });

  it("is checked on a cookie request (part of the CSRF defence): application/json or 415", async () => {
    const browser = { cookie: f.owner.cookie, origin: stack.webUrl };
    for (const type of [null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const reply = await submit({ ...browser, ...(type ? { "content-type": type } : {}) });
      expect(reply.status, `${type}: ${reply.text}`).toBe(415);
      expect(reply.error.code).toBe("unsupported_media_type");
    }
    expect((await submit({ ...browser, "content-type": "application/json" })).status).toBe(202);
  });
});
