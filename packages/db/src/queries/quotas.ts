import { and, count, eq, gt, min, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { generations } from "../schema";
import { generationIsActive } from "../schema/jobs";

/**
 * Serialises one user's submissions for the rest of the transaction, so the
 * quota counts below cannot be raced by concurrent submits from any number
 * of web processes. Other users are not blocked.
 */
export async function lockUserSubmissions(tx: Tx, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`sorami:submit:${userId}`}, 0))`);
}

/** The user's jobs created in the last `windowSeconds`, and when the oldest of them was created. */
export async function recentSubmissions(
  tx: Tx,
  userId: string,
  windowSeconds: number,
): Promise<{ count: number; oldest: Date | null }> {
  const [row] = await tx
    .select({ count: count(), oldest: min(generations.createdAt) })
    .from(generations)
    .where(
      and(
        eq(generations.authorId, userId),
        // Compared with the clock that wrote created_at (the web process's).
        gt(generations.createdAt, new Date(Date.now() - windowSeconds * 1000)),
      ),
    );
  return { count: row?.count ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** The user's jobs that have not ended (each holds a provider slot or will). */
export async function activeJobCount(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ count: count() })
    .from(generations)
    .where(and(eq(generations.authorId, userId), generationIsActive));
  return row?.count ?? 0;
}
