import { eq, type SQL, sql } from "drizzle-orm";
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

/** The same, as a subquery, to file a row under it in the statement that inserts the row (one round trip fewer). */
export function organizationIdOfSql(userId: string): SQL {
  return sql`(select ${members.organizationId} from ${members} where ${members.userId} = ${userId} limit 1)`;
}
