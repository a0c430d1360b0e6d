import { asc, eq, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { members } from "../schema";

/**
 * The organization a user's jobs are filed under: their personal one, made at
 * sign-up, which is their first membership (null if none). Ordered, so a user
 * who joins other organizations later still files every job under the same one.
 */
export async function organizationIdOf(db: Tx, userId: string): Promise<string | null> {
  const [member] = await db
    .select({ organizationId: members.organizationId })
    .from(members)
    .where(eq(members.userId, userId))
    .orderBy(asc(members.createdAt), asc(members.id))
    .limit(1);
  return member?.organizationId ?? null;
}

/** The same, as a subquery, to file a row under it in the statement that inserts the row (one round trip fewer). */
export function organizationIdOfSql(userId: string): SQL {
  return sql`(select ${members.organizationId} from ${members} where ${members.userId} = ${userId} order by ${members.createdAt} asc, ${members.id} asc limit 1)`;
}
