import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Tx } from "../client";
import { members, organizations, users } from "../schema";

export async function userExists(db: Tx, id: string): Promise<boolean> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, id));
  return Boolean(user);
}

/** A new user's personal organization, of which they are the owner: their jobs are filed under it. */
export async function createPersonalOrganization(tx: Tx, user: { id: string; name: string }): Promise<string> {
  const orgId = randomUUID();
  await tx.insert(organizations).values({
    id: orgId,
    name: `${user.name}'s workspace`,
    slug: `personal-${user.id}`.toLowerCase(),
  });
  await tx.insert(members).values({ id: randomUUID(), organizationId: orgId, userId: user.id, role: "owner" });
  return orgId;
}
