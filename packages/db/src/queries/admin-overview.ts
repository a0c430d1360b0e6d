import { sql } from "drizzle-orm";
import type { Tx } from "../client";
import { generations, mediaFiles, users } from "../schema";

/**
 * The admin overview's figures from the web app's own tables. Each is one
 * aggregate over an index range (jobs by created_at or completed_at in a
 * window) or a whole small table; none is on a user's path.
 */

/** Jobs created in the last `seconds`, by their status now. */
export async function jobsByStatusSince(db: Tx, seconds: number): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: generations.status, n: sql<string>`count(*)` })
    .from(generations)
    .where(sql`${generations.createdAt} >= now() - make_interval(secs => ${seconds})`)
    .groupBy(generations.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Jobs that completed or failed in the last `seconds`, by model: how many ended, how many failed. */
export async function failuresByModel(
  db: Tx,
  seconds: number,
): Promise<{ model: string | null; ended: number; failed: number }[]> {
  const rows = await db
    .select({
      model: generations.model,
      ended: sql<string>`count(*)`,
      failed: sql<string>`count(*) filter (where ${generations.status} = 'FAILED')`,
    })
    .from(generations)
    .where(
      sql`${generations.status} in ('COMPLETED', 'FAILED') and ${generations.completedAt} >= now() - make_interval(secs => ${seconds})`,
    )
    .groupBy(generations.model)
    .orderBy(sql`3 desc`, sql`2 desc`);
  return rows.map((r) => ({ model: r.model, ended: Number(r.ended), failed: Number(r.failed) }));
}

/** Jobs that failed in the last `seconds`, by what failed them. */
export async function failuresByKind(db: Tx, seconds: number): Promise<{ errorKind: string | null; failed: number }[]> {
  const rows = await db
    .select({ errorKind: generations.errorKind, failed: sql<string>`count(*)` })
    .from(generations)
    .where(
      sql`${generations.status} = 'FAILED' and ${generations.completedAt} >= now() - make_interval(secs => ${seconds})`,
    )
    .groupBy(generations.errorKind)
    .orderBy(sql`2 desc`);
  return rows.map((r) => ({ errorKind: r.errorKind, failed: Number(r.failed) }));
}

/** Files stored and their bytes (thumbnails and posters are not counted: a few KiB each). */
export async function storageUsed(db: Tx): Promise<{ files: number; bytes: number }> {
  const [row] = await db
    .select({ files: sql<string>`count(*)`, bytes: sql<string>`coalesce(sum(${mediaFiles.sizeBytes}), 0)` })
    .from(mediaFiles);
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/** Files waiting for screening and held for review. */
export async function moderationCounts(db: Tx): Promise<{ pending: number; held: number }> {
  const [row] = await db
    .select({
      pending: sql<string>`count(*) filter (where ${mediaFiles.moderationState} = 'pending')`,
      held: sql<string>`count(*) filter (where ${mediaFiles.moderationState} = 'held')`,
    })
    .from(mediaFiles)
    .where(sql`${mediaFiles.moderationState} in ('pending', 'held')`);
  return { pending: Number(row?.pending ?? 0), held: Number(row?.held ?? 0) };
}

export async function userCounts(db: Tx): Promise<{ total: number; admins: number; disabled: number }> {
  const [row] = await db
    .select({
      total: sql<string>`count(*)`,
      admins: sql<string>`count(*) filter (where ${users.role} = 'admin' and ${users.disabledAt} is null)`,
      disabled: sql<string>`count(*) filter (where ${users.disabledAt} is not null)`,
    })
    .from(users);
  return { total: Number(row?.total ?? 0), admins: Number(row?.admins ?? 0), disabled: Number(row?.disabled ?? 0) };
}
