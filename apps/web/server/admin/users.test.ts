import { randomUUID } from "node:crypto";
import { schema } from "@sorami/db";
import { findSessionWithUser, liveSessionIds } from "@sorami/db/queries/sessions";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "../session";
import { disableUserAsAdmin, enableUserAsAdmin, setRoleAsAdmin } from "./users";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

async function person(role: "admin" | "user" = "user"): Promise<SessionUser> {
  const u = await t.createUser();
  if (role === "admin") {
    await t.db.update(schema.users).set({ role }).where(eq(schema.users.id, u.id));
  }
  return { ...u, role };
}

async function session(userId: string): Promise<{ id: string; token: string }> {
  const s = { id: randomUUID(), token: randomUUID() };
  await t.db.insert(schema.sessions).values({ ...s, userId, expiresAt: new Date(Date.now() + 3600_000) });
  return s;
}

async function runningJob(userId: string): Promise<string> {
  const id = randomUUID();
  await t.db.insert(schema.generations).values({
    id,
    kind: "image",
    authorId: userId,
    prompt: "p",
    params: {},
    status: "GENERATING",
  });
  return id;
}

/** Only admins who can act count; every test adds its own, so "the last one" is made by disabling the rest. */
async function onlyAdmin(): Promise<SessionUser> {
  await t.db.update(schema.users).set({ role: "user" }).where(eq(schema.users.role, "admin"));
  return person("admin");
}

describe("disabling a user", () => {
  it("deletes their sessions, cancels their unfinished jobs, records it, and no session of theirs is honoured", async () => {
    const admin = await person("admin");
    const target = await person();
    const [a, b] = [await session(target.id), await session(target.id)];
    const job = await runningJob(target.id);
    expect(await liveSessionIds(t.db, [a.id, b.id], new Date())).toHaveLength(2);

    const result = await disableUserAsAdmin(t.db, admin, target.id);
    expect(result).toMatchObject({ sessions_ended: 2, jobs_canceled: 1, user: { id: target.id, sessions: 0 } });
    expect(result.user.disabled_at).not.toBeNull();
    const [g] = await t.db.select().from(schema.generations).where(eq(schema.generations.id, job));
    expect(g?.status).toBe("CANCELED");
    const [action] = await t.db.select().from(schema.adminActions).where(eq(schema.adminActions.targetId, target.id));
    expect(action).toMatchObject({ adminId: admin.id, action: "disable", targetType: "user" });

    // A session made in a race with the disable (after its delete) is still refused, by the flag.
    const late = await session(target.id);
    expect(await findSessionWithUser(t.db, late.token)).toBeNull();
    expect(await liveSessionIds(t.db, [late.id], new Date())).toEqual([]);

    // Again: no job left to cancel (the late session is ended with the others); enabling lets them in again.
    expect(await disableUserAsAdmin(t.db, admin, target.id)).toMatchObject({ sessions_ended: 1, jobs_canceled: 0 });
    expect((await enableUserAsAdmin(t.db, admin, target.id)).disabled_at).toBeNull();
    const fresh = await session(target.id);
    expect((await findSessionWithUser(t.db, fresh.token))?.user.id).toBe(target.id);
  });

  it("refuses an admin disabling themselves", async () => {
    const admin = await onlyAdmin();
    await expect(disableUserAsAdmin(t.db, admin, admin.id)).rejects.toMatchObject({ code: "conflict", status: 409 });
    // An admin acting on another admin while being the other one's only peer: still one admin left after it.
    const second = await person("admin");
    await expect(disableUserAsAdmin(t.db, admin, second.id)).resolves.toMatchObject({ user: { id: second.id } });
    const [self] = await t.db.select().from(schema.users).where(eq(schema.users.id, admin.id));
    expect(self?.disabledAt).toBeNull();
  });

  it("answers 404 for a user who does not exist", async () => {
    const admin = await person("admin");
    await expect(disableUserAsAdmin(t.db, admin, "no-such-user")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("roles", () => {
  it("makes and removes admins, and never removes the last one who can act", async () => {
    const admin = await onlyAdmin();
    const other = await person();
    expect((await setRoleAsAdmin(t.db, admin, other.id, "admin")).role).toBe("admin");
    expect((await setRoleAsAdmin(t.db, admin, admin.id, "user")).role).toBe("user");
    // `other` is now the only admin: they cannot step down.
    const otherAdmin = { ...other, role: "admin" };
    await expect(setRoleAsAdmin(t.db, otherAdmin, other.id, "user")).rejects.toMatchObject({
      code: "conflict",
      status: 409,
    });
    // A disabled admin does not count as one who can act.
    const disabled = await person("admin");
    await t.db.update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, disabled.id));
    await expect(setRoleAsAdmin(t.db, otherAdmin, other.id, "user")).rejects.toMatchObject({ code: "conflict" });
  });

  it("keeps one admin when two demote each other at once", async () => {
    const first = await onlyAdmin();
    const second = await person("admin");
    const outcomes = await Promise.allSettled([
      setRoleAsAdmin(t.db, first, second.id, "user"),
      setRoleAsAdmin(t.db, second, first.id, "user"),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const admins = await t.db.select().from(schema.users).where(eq(schema.users.role, "admin"));
    expect(admins).toHaveLength(1);
  });
});
