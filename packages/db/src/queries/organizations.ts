import { eq } from "drizzle-orm";
import type { Tx } from "../client";
import { members } from "../schema";

/** The organization a user's jobs are filed under: their personal one, made at sign-up (null if none). */
export async function organizationIdOf(db: Tx, userId: string): Promise<string | null> {
  const [member] = await db
    .select({ organizationId: members.organizationId })
    .from(members)
    .where(eq(members.userId, userId))
    .limit(1);
  return member?.organizationId ?? null;
}
