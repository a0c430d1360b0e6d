import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members, organizations } from "../schema";
import { startTestDatabase } from "../testing";
import { organizationIdOf, organizationIdOfSql } from "./organizations";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

describe("a user's organization", () => {
  it("is their first membership, however the rows lie on disk", async () => {
    const user = await t.createUser();
    const org = async (name: string) => {
      const id = randomUUID();
      await t.db.insert(organizations).values({ id, name, slug: id });
      return id;
    };
    const [personal, joinedLater] = [await org("personal"), await org("team")];
    // The later membership is written first, so an unordered read finds it first.
    await t.db.insert(members).values([
      { id: randomUUID(), organizationId: joinedLater, userId: user.id, createdAt: new Date("2026-06-01T00:00:00Z") },
      { id: randomUUID(), organizationId: personal, userId: user.id, createdAt: new Date("2026-01-01T00:00:00Z") },
    ]);
    expect(await organizationIdOf(t.db, user.id)).toBe(personal);
    const { rows } = await t.db.execute<{ id: string }>(sql`select ${organizationIdOfSql(user.id)} as id`);
    expect(rows[0]?.id).toBe(personal);
  });
});
