import net from "node:net";
import { networkInterfaces } from "node:os";
import { GENERATOR_API, WEB_API } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchChecked, sql } from "../support/client";
import { type Stack, startStack } from "../support/stack";
import { compareWithTable } from "./enumerate";
import { ADMIN_EMAIL, createFixtures, type Fixtures } from "./fixtures";
import { isErrorBody, leaksInternals, type Reply, send, webhookHeaders } from "./http";
import { type Probe, ROUTES, type RouteEntry } from "./routes";

/**
 * Authorization on every route of both services, enumerated from the code:
 * no session → 401, another user's resource → 404 (never 403: existence is
 * not confirmed), admin routes → 403 for users, cookie-authenticated
 * changes from another origin → 403, service and webhook routes → 401
 * without their key or signature. Also: media paths cannot traverse, and
 * the security headers are on every response.
 */
let stack: Stack;
let f: Fixtures;

beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0", ADMIN_EMAILS: ADMIN_EMAIL } });
  f = await createFixtures(stack);
});
afterAll(async () => stack?.stop());

const EVIL_ORIGIN = "https://evil.example";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function baseOf(entry: RouteEntry): string {
  return entry.service === "web" ? stack.webUrl : stack.generatorUrl;
}

/** The probe's legitimate request, with these credentials instead of the owner's. */
function request(entry: RouteEntry, probe: Probe, credentials: Record<string, string>): Promise<Reply> {
  const body = probe.body ? JSON.stringify(probe.body.sample(f)) : undefined;
  const headers: Record<string, string> = { ...(body ? { "content-type": "application/json" } : {}), ...credentials };
  return send(baseOf(entry), probe.method, probe.url(f), {
    headers,
    body,
    headersOnly: probe.stream,
    service: entry.service,
  });
}

function expectRefusal(reply: Reply, status: number, what: string): void {
  expect(reply.status, `${what}: ${reply.text.slice(0, 300)}`).toBe(status);
  expect(isErrorBody(reply.json), `${what}: error body ${reply.text.slice(0, 300)}`).toBe(true);
  expect(leaksInternals(reply.text), what).toBe(false);
}

function expectOwnerStatus(reply: Reply, probe: Probe, what: string): void {
  const ok = probe.ownerStatus ? reply.status === probe.ownerStatus : reply.status >= 200 && reply.status < 300;
  expect(ok, `${what}: got ${reply.status} ${reply.text.slice(0, 300)}`).toBe(true);
}

/** Nothing of the owner's may appear in what another user is shown. */
function expectNothingOfOwner(reply: Reply, what: string): void {
  for (const secret of [f.imageJob, f.videoJob, f.notification, f.mediaKey, f.owner.email]) {
    expect(reply.text.includes(secret), `${what} shows the owner's ${secret}`).toBe(false);
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the route table", () => {
  it("has an entry for every route of both services, and none for a route that is gone", async () => {
    const { real, missing, stale } = await compareWithTable();
    expect(missing, "routes without an entry in e2e/security/routes.ts").toEqual([]);
    expect(stale, "entries in e2e/security/routes.ts for routes that do not exist").toEqual([]);
    expect(real.filter((r) => r.service === "web").length).toBeGreaterThan(15);
    expect(real.filter((r) => r.service === "generator").length).toBeGreaterThan(4);
  });

  it("has a response contract for every route of both services, and none for a route that is gone", async () => {
    const { real } = await compareWithTable();
    // The catch-alls answer errors only (/api/[...path]) or are better-auth's, whose used endpoints have entries.
    const served = real.filter((r) => r.path !== "/api/[...path]" && r.path !== "/api/auth/[...all]");
    const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path.replace(/:(\w+)/g, "[$1]")}`;
    const tables = { web: WEB_API, generator: GENERATOR_API };
    const uncovered = served.filter((r) => !(keyOf(r) in tables[r.service])).map(keyOf);
    expect(uncovered, "routes without an answer in packages/contracts/src/api.ts").toEqual([]);
    const realKeys = new Set(served.map((r) => `${r.service} ${keyOf(r)}`));
    const stale = (["web", "generator"] as const).flatMap((service) =>
      Object.keys(tables[service])
        .filter((k) => !k.includes(" /api/auth/") && !realKeys.has(`${service} ${k}`))
        .map((k) => `${service} ${k}`),
    );
    expect(stale, "answers in packages/contracts/src/api.ts for routes that do not exist").toEqual([]);
  });
});

describe("user routes: 401 without a session, 404 for another user's, 403 cross-site", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "user")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path}`, async () => {
        const what = `${probe.method} ${probe.url(f)}`;
        const sameOrigin: Record<string, string> = UNSAFE.has(probe.method) ? { origin: stack.webUrl } : {};
        expectRefusal(await request(entry, probe, {}), 401, `${what} with no session`);
        expectRefusal(await request(entry, probe, bearer("not-a-session-token")), 401, `${what} with a made-up token`);
        expectRefusal(
          await request(entry, probe, { cookie: "better-auth.session_token=forged.forged", ...sameOrigin }),
          401,
          `${what} with a forged cookie`,
        );

        const other = await request(entry, probe, bearer(f.other.token));
        if (probe.pathId) {
          expectRefusal(other, 404, `${what} by another user`);
        } else {
          expect(other.status, `${what} by another user`).toBeLessThan(500);
        }
        expectNothingOfOwner(other, `${what} by another user`);

        if (UNSAFE.has(probe.method)) {
          expectRefusal(
            await request(entry, probe, { cookie: f.owner.cookie, origin: EVIL_ORIGIN }),
            403,
            `${what} with the owner's cookie from another origin`,
          );
          expectRefusal(
            await request(entry, probe, { cookie: f.owner.cookie }),
            403,
            `${what} with the owner's cookie and no Origin`,
          );
          expectOwnerStatus(
            await request(entry, probe, { cookie: f.owner.cookie, origin: stack.webUrl }),
            probe,
            `${what} by the owner's browser`,
          );
        } else {
          expectOwnerStatus(await request(entry, probe, { cookie: f.owner.cookie }), probe, `${what} by cookie`);
        }
        expectOwnerStatus(await request(entry, probe, bearer(f.owner.token)), probe, `${what} by the owner`);
      });
    }
  }
});

describe("admin routes: 401 without a session, 403 for users", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "admin")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path}`, async () => {
        const what = `${probe.method} ${probe.url(f)}`;
        expectRefusal(await request(entry, probe, {}), 401, `${what} with no session`);
        expectRefusal(await request(entry, probe, bearer(f.owner.token)), 403, `${what} by a user`);
        expectRefusal(await request(entry, probe, { cookie: f.owner.cookie }), 403, `${what} by a user's browser`);
        if (UNSAFE.has(probe.method)) {
          expectRefusal(
            await request(entry, probe, { cookie: f.admin.cookie, origin: EVIL_ORIGIN }),
            403,
            `${what} with the admin's cookie from another origin`,
          );
        } else {
          // A read changes nothing, and another site cannot read the answer: the admin's browser gets it.
          expectOwnerStatus(await request(entry, probe, { cookie: f.admin.cookie }), probe, `${what} by cookie`);
        }
        expectOwnerStatus(await request(entry, probe, bearer(f.admin.token)), probe, `${what} by the admin`);
      });
    }
  }
});

/** The console's pages: each reads only /api/admin/*, and answers users with the 403 page. */
const ADMIN_PAGES = ["/admin", "/admin/jobs", "/admin/deliveries", "/admin/users", "/admin/moderation"];

describe("admin pages: sign-in without a session, 403 for users", () => {
  for (const page of ADMIN_PAGES) {
    it(page, async () => {
      const anonymous = await send(stack.webUrl, "GET", page);
      expect([anonymous.status, anonymous.headers.get("location") ?? ""].join(" "), page).toMatch(
        /^30[37] .*\/sign-in/,
      );
      const user = await send(stack.webUrl, "GET", page, { headers: { cookie: f.owner.cookie } });
      expect(user.status, `${page} by a user`).toBe(403);
      expect(user.text).toContain("This page is for administrators");
      const adminPage = await send(stack.webUrl, "GET", page, { headers: { cookie: f.admin.cookie } });
      expect(adminPage.status, `${page} by the admin`).toBe(200);
    });
  }
  it(`a job's story page too (/admin/jobs/{id})`, async () => {
    const user = await send(stack.webUrl, "GET", `/admin/jobs/${f.imageJob}`, { headers: { cookie: f.owner.cookie } });
    expect(user.status).toBe(403);
    expect(user.text.includes(f.owner.email)).toBe(false);
  });
});

describe("webhook routes: 401 unless signed with the shared secret, recently", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "webhook")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path}`, async () => {
        const body = JSON.stringify(probe.body?.sample(f) ?? {});
        const post = (headers: Record<string, string>) =>
          send(stack.webUrl, probe.method, probe.url(f), {
            headers: { "content-type": "application/json", ...headers },
            body,
          });
        const wrongSecret = "w".repeat(40);
        expectRefusal(await post({}), 401, "unsigned");
        expectRefusal(await post(webhookHeaders(wrongSecret, body)), 401, "signed with another secret");
        expectRefusal(await post({ "x-webhook-secret": wrongSecret }), 401, "a wrong legacy secret");
        expectRefusal(await post(webhookHeaders(f.webhookSecret, body, -6 * 60)), 401, "signed 6 minutes ago");
        expectRefusal(await post(webhookHeaders(f.webhookSecret, body, 6 * 60)), 401, "signed 6 minutes ahead");
        expectRefusal(await post(webhookHeaders(f.webhookSecret, `${body} `)), 401, "a body changed after signing");
        const signed = webhookHeaders(f.webhookSecret, body);
        signed["webhook-signature"] = signed["webhook-signature"]?.replace("v1,", "v1,A") ?? "";
        expectRefusal(await post(signed), 401, "a mangled signature");
        expectOwnerStatus(await post(webhookHeaders(f.webhookSecret, body)), probe, "a valid signature");
      });
    }
  }
});

describe("service routes: 401 without the service key", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "service")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path} on the generator`, async () => {
        const what = `${probe.method} ${probe.url(f)}`;
        expectRefusal(await request(entry, probe, {}), 401, `${what} without a key`);
        expectRefusal(await request(entry, probe, bearer("k".repeat(43))), 401, `${what} with a wrong key`);
        expectRefusal(
          await request(entry, probe, { "x-service-key": "k".repeat(43) }),
          401,
          `${what} wrong x-service-key`,
        );
        expectRefusal(await request(entry, probe, bearer(f.owner.token)), 401, `${what} with a user's session token`);
        expectRefusal(
          await request(entry, probe, bearer(f.serviceKey.slice(0, -1))),
          401,
          `${what} with the key minus a character`,
        );
        expectOwnerStatus(await request(entry, probe, bearer(f.serviceKey)), probe, `${what} with the key`);
      });
    }
  }

  it("answers 404 on unknown generator paths with or without the key (auth is decided per route)", async () => {
    const service = "generator";
    expectRefusal(
      await send(stack.generatorUrl, "GET", "/api/no-such-thing", { service }),
      404,
      "unknown path, no key",
    );
    expectRefusal(
      await send(stack.generatorUrl, "GET", "/api/no-such-thing", { headers: bearer(f.serviceKey), service }),
      404,
      "unknown path, with the key",
    );
  });
});

describe("metrics routes: 401 without the metrics token", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "metrics")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path} on the ${entry.service}`, async () => {
        const what = `${probe.method} ${probe.url(f)} on the ${entry.service}`;
        expectRefusal(await request(entry, probe, {}), 401, `${what} without a token`);
        expectRefusal(await request(entry, probe, bearer("m".repeat(43))), 401, `${what} with a wrong token`);
        expectRefusal(
          await request(entry, probe, bearer(f.metricsToken.slice(0, -1))),
          401,
          `${what} with the token minus a character`,
        );
        expectRefusal(await request(entry, probe, bearer(f.serviceKey)), 401, `${what} with the service key`);
        expectRefusal(await request(entry, probe, bearer(f.owner.token)), 401, `${what} with a user's session token`);
        expectRefusal(
          await request(entry, probe, { authorization: f.metricsToken }),
          401,
          `${what} with the token but no Bearer scheme`,
        );
        const ok = await request(entry, probe, bearer(f.metricsToken));
        expectOwnerStatus(ok, probe, `${what} with the token`);
        expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        expect(ok.text).toContain("sorami_http_requests_total");
      });
    }
  }
});

describe("public routes answer without credentials", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "public")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path} on the ${entry.service}`, async () => {
        const reply = await request(entry, probe, {});
        expectOwnerStatus(reply, probe, `${probe.method} ${probe.url(f)}`);
        if (reply.status >= 400) {
          expectRefusal(reply, reply.status, "a public refusal");
        }
      });
    }
  }
});

describe("share routes: the token in the path is the only key", () => {
  for (const entry of ROUTES.filter((e) => e.auth === "share")) {
    for (const probe of entry.probes) {
      it(`${probe.method} ${entry.path}`, async () => {
        const what = `${probe.method} ${probe.url(f)}`;
        // The link's holder needs no account; an account changes nothing.
        expectOwnerStatus(await request(entry, probe, {}), probe, `${what} without credentials`);
        expectOwnerStatus(await request(entry, probe, bearer(f.other.token)), probe, `${what} by another user`);
        const unknown = await send(stack.webUrl, probe.method, probe.pathId?.build("A".repeat(43)) ?? "", {
          headers: bearer(f.owner.token),
        });
        // A token that is no live link is a 404 even for the owner of what it would show.
        expectRefusal(unknown, 404, `${what} with an unknown token, by the owner`);
        expectNothingOfOwner(unknown, `${what} with an unknown token`);
      });
    }
  }
});

describe("better-auth endpoints", () => {
  it("give no session without credentials, and refuse sign-ins and sign-outs from another origin", async () => {
    const session = await send(stack.webUrl, "GET", "/api/auth/get-session");
    expect(session.status).toBe(200);
    expect(session.json).toBeNull();
    const own = await send(stack.webUrl, "GET", "/api/auth/get-session", { headers: { cookie: f.owner.cookie } });
    expect(own.data?.user?.id).toBe(f.owner.id);

    const signIn = await send(stack.webUrl, "POST", "/api/auth/sign-in/email", {
      headers: { "content-type": "application/json", origin: EVIL_ORIGIN, cookie: f.other.cookie },
      body: JSON.stringify({ email: f.owner.email, password: "correct horse battery" }),
    });
    expectRefusal(signIn, 403, "sign-in from another origin");
    const signOut = await send(stack.webUrl, "POST", "/api/auth/sign-out", {
      headers: { "content-type": "application/json", origin: EVIL_ORIGIN, cookie: f.owner.cookie },
      body: "{}",
    });
    expectRefusal(signOut, 403, "sign-out from another origin");
    // The owner's cookie still works: the cross-site sign-out did nothing.
    const still = await send(stack.webUrl, "GET", "/api/auth/get-session", { headers: { cookie: f.owner.cookie } });
    expect(still.data?.user?.id).toBe(f.owner.id);
  });

  it("never lets a sign-up choose its role", async () => {
    const reply = await send(stack.webUrl, "POST", "/api/auth/sign-up/email", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Mallory",
        email: "mallory@example.test",
        password: "correct horse battery",
        role: "admin",
      }),
    });
    expect(reply.status).toBe(200);
    const [row] = await sql<{ role: string }>(stack.databaseUrl, "select role from users where email = $1", [
      "mallory@example.test",
    ]);
    expect(row?.role).toBe("user");
    const admin = await send(stack.webUrl, "POST", `/api/admin/webhooks/${f.delivery}/redeliver`, {
      headers: bearer(reply.data.token),
    });
    expectRefusal(admin, 403, "a self-declared admin");
  });
});

describe("media files", () => {
  it("are served to their owner only, and no path reaches a file the database does not list for them", async () => {
    const own = await send(stack.webUrl, "GET", `/api/media/${f.mediaKey}`, { headers: bearer(f.owner.token) });
    expect(own.status).toBe(200);
    const theirs = await send(stack.webUrl, "GET", `/api/media/${f.mediaKey}`, { headers: bearer(f.other.token) });
    expect(theirs.status).toBe(404);

    const dir = f.mediaKey.slice(0, f.mediaKey.lastIndexOf("/"));
    const attempts = [
      "/api/media/../secrets.json",
      "/api/media/../../secrets.json",
      "/api/media/..%2Fsecrets.json",
      "/api/media/..%2F..%2Fsecrets.json",
      "/api/media/%2e%2e/%2e%2e/secrets.json",
      "/api/media/%2E%2E%2F%2E%2E%2Fsecrets.json",
      "/api/media/..%252F..%252Fsecrets.json",
      "/api/media/%c0%ae%c0%ae/%c0%ae%c0%ae/secrets.json",
      "/api/media/..%5C..%5Csecrets.json",
      "/api/media/....//....//secrets.json",
      `/api/media/${dir}/../../../secrets.json`,
      `/api/media/${dir}/..%2F..%2F..%2Fsecrets.json`,
      `/api/media/${dir}/%2e%2e/%2e%2e/%2e%2e/secrets.json`,
      "/api/media/%2Fetc%2Fpasswd",
      "/api/media//etc/passwd",
      "/api/media/%00",
      `/api/media/${f.mediaKey}%00.txt`,
      `/api/media/${f.mediaKey}/..`,
      `/api/media/${dir}`,
      "/api/media/",
      `/api/media/${"a/".repeat(300)}x.png`,
    ];
    for (const path of attempts) {
      let reply = await send(stack.webUrl, "GET", path, { headers: bearer(f.owner.token) });
      // Next.js answers some paths with a redirect to their normalised form: follow it, once.
      const location = reply.headers.get("location");
      if (reply.status >= 300 && reply.status < 400 && location) {
        expect(location.startsWith("/") || location.startsWith(stack.webUrl), `${path} redirects off-site`).toBe(true);
        reply = await send(stack.webUrl, "GET", location.replace(stack.webUrl, ""), { headers: bearer(f.owner.token) });
      }
      expect(reply.status, `${path}: ${reply.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
      expect(reply.text, path).not.toContain("serviceKey");
      expect(reply.text, path).not.toContain("root:");
    }
  });
});

describe("security headers", () => {
  it("are on pages, API answers and media", async () => {
    const paths = ["/", "/sign-in", "/gallery", "/api/health", "/api/no-such-endpoint", `/api/media/${f.mediaKey}`];
    for (const path of paths) {
      const res = await fetchChecked(`${stack.webUrl}${path}`, { headers: bearer(f.owner.token), redirect: "manual" });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain("unsafe-eval");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-powered-by"), path).toBeNull();
      expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
      await res.arrayBuffer();
    }
  });

  it("grant no cross-origin access: a preflight from another origin gets no CORS allowance", async () => {
    const res = await fetchChecked(`${stack.webUrl}/api/images/generate`, {
      method: "OPTIONS",
      headers: {
        origin: EVIL_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("the generator", () => {
  it("listens on loopback only", async () => {
    const port = Number(new URL(stack.generatorUrl).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === "IPv4")
      .map((a) => a?.address ?? "");
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host, port });
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      });
    expect(await reachable("127.0.0.1")).toBe(true);
    for (const host of external) {
      expect(await reachable(host), `generator reachable on ${host}`).toBe(false);
    }
  });
});

describe("logs", () => {
  it("never contain a secret, a session token or a cookie", () => {
    const logs = stack.allLogs();
    expect(logs.length).toBeGreaterThan(0);
    const secrets = [f.serviceKey, f.webhookSecret, f.metricsToken, f.owner.token, f.other.token, f.admin.token];
    for (const cookie of [f.owner.cookie, f.admin.cookie]) {
      secrets.push(cookie.split("=")[1] ?? cookie);
    }
    for (const secret of secrets) {
      expect(logs.includes(secret), "a secret in the logs").toBe(false);
    }
  });
});
