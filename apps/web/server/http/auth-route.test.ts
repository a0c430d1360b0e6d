import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EMAIL_MAX_LENGTH, ORGANIZATION_SLUG_MAX_LENGTH } from "@sorami/contracts";
import { noise } from "@sorami/contracts/testing";
import { snapshotTables, startTestDatabase } from "@sorami/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * better-auth's endpoints through our wrapper, over a real database: fields
 * it writes to unique-indexed columns are bounded before it sees them.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let dataDir: string;
let handle: (req: Request) => Promise<Response>;

beforeAll(async () => {
  t = await startTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-auth-route-test-"));
  // The web app's env module reads these on first use.
  process.env.DATABASE_URL = t.url;
  process.env.DATA_DIR = dataDir;
  process.env.AUTH_RATE_LIMIT = "off";
  handle = (await import("./auth-route")).handleAuthRequest;
});
afterAll(async () => {
  const { pool } = await import("../db");
  await pool().end();
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (pathname: string, body: unknown, token?: string) =>
  handle(
    new Request(`http://localhost:3000/api/auth${pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }),
  );

async function signUp(email: string): Promise<Response> {
  return post("/sign-up/email", { name: "Ann", email, password: "correct horse battery" });
}

async function expectRefused(res: Promise<Response>, field: string) {
  const before = await snapshotTables(t.pool);
  const answer = await res;
  const body = await answer.json();
  expect(answer.status, JSON.stringify(body)).toBe(400);
  expect(body.error.field).toBe(field);
  expect(await snapshotTables(t.pool)).toEqual(before);
}

describe("better-auth fields in indexed columns", () => {
  it("refuses an email longer than an address can be (users.email is unique-indexed)", async () => {
    const local = noise(3000, 0x61, 26);
    await expectRefused(signUp(`${local}@example.test`), "email");
    const longest = `${"a".repeat(EMAIL_MAX_LENGTH - "@example.test".length)}@example.test`;
    expect((await signUp(longest)).status).toBe(200);
  });

  it("refuses an organization slug the unique index cannot hold, at create and at update", async () => {
    const res = await signUp("slug-owner@example.test");
    const { token } = (await res.json()) as { token: string };
    await expectRefused(post("/organization/create", { name: "x", slug: noise(3000, 0x61, 26) }, token), "slug");
    const created = await post(
      "/organization/create",
      { name: "x", slug: "s".repeat(ORGANIZATION_SLUG_MAX_LENGTH) },
      token,
    );
    expect(created.status, await created.clone().text()).toBe(200);
    const { id } = (await created.json()) as { id: string };
    await expectRefused(
      post("/organization/update", { organizationId: id, data: { slug: noise(3000, 0x61, 26) } }, token),
      "data.slug",
    );
  });

  it("refuses an organization update that changes nothing better-auth knows (its empty UPDATE was a 500)", async () => {
    const res = await signUp("org-update@example.test");
    const { token } = (await res.json()) as { token: string };
    const created = await post("/organization/create", { name: "x", slug: "org-update" }, token);
    const { id } = (await created.json()) as { id: string };
    await expectRefused(post("/organization/update", { organizationId: id, data: {} }, token), "data");
    for (const data of [{ a: 1 }, { name: "y", a: 1 }]) {
      await expectRefused(post("/organization/update", { organizationId: id, data }, token), "data.a");
    }
    await expectRefused(post("/organization/update", { organizationId: id }, token), "data");
    const renamed = await post("/organization/update", { organizationId: id, data: { name: "y" } }, token);
    expect(renamed.status, await renamed.clone().text()).toBe(200);
  });
});
