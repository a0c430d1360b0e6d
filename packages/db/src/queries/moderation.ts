import { randomUUID } from "node:crypto";
import type { ModerationDecision, ModerationState } from "@sorami/contracts";
import { and, asc, desc, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import {
  generations,
  type MediaFile,
  type ModerationDecisionRow,
  mediaFiles,
  moderationDecisions,
  users,
} from "../schema";

/**
 * Image screening and review. A file is stored `pending` while screening is
 * on; the screening task records its score and moves it to `clear` or
 * `held`; an admin's decision moves a held file to `approved` or `removed`
 * and is recorded in `moderation_decisions`.
 */

/** A job's files still waiting for their score. */
export async function pendingFilesOf(db: Tx, generationId: string): Promise<MediaFile[]> {
  return db
    .select()
    .from(mediaFiles)
    .where(and(eq(mediaFiles.generationId, generationId), eq(mediaFiles.moderationState, "pending")))
    .orderBy(asc(mediaFiles.index));
}

/**
 * Records a file's score and its state from it; only a file still pending
 * is changed (a file decided or deleted meanwhile is left alone). False when
 * nothing changed.
 */
export async function recordScreening(
  db: Tx,
  fileId: string,
  screening: {
    state: Extract<ModerationState, "clear" | "held">;
    nsfwScore: number | null;
    scores: Record<string, number> | null;
    blurredKey: string | null;
    at: Date;
  },
): Promise<boolean> {
  const rows = await db
    .update(mediaFiles)
    .set({
      moderationState: screening.state,
      nsfwScore: screening.nsfwScore,
      moderationScores: screening.scores,
      blurredKey: screening.blurredKey,
      screenedAt: screening.at,
    })
    .where(and(eq(mediaFiles.id, fileId), eq(mediaFiles.moderationState, "pending")))
    .returning({ id: mediaFiles.id });
  return rows.length > 0;
}

export type ModerationItemRow = {
  file: MediaFile;
  kind: "image" | "video";
  ownerId: string;
  ownerEmail: string;
  ownerName: string;
  decision: (ModerationDecisionRow & { byEmail: string | null; byName: string | null }) | null;
};

export type ModerationCursor = { at: Date; id: string };

/** The file's latest decision, as the row a file joins to. */
const lastDecision = sql`(select d.id from ${moderationDecisions} d where d.media_file_id = ${mediaFiles.id}
  order by d.decided_at desc, d.id desc limit 1)`;

function selectItems(db: Tx) {
  const decider = sql`(select u.email from ${users} u where u.id = ${moderationDecisions.decidedBy})`;
  const deciderName = sql`(select u.name from ${users} u where u.id = ${moderationDecisions.decidedBy})`;
  return db
    .select({
      file: mediaFiles,
      kind: generations.kind,
      ownerId: users.id,
      ownerEmail: users.email,
      ownerName: users.name,
      decision: moderationDecisions,
      byEmail: sql<string | null>`${decider}`,
      byName: sql<string | null>`${deciderName}`,
    })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .innerJoin(users, eq(users.id, generations.authorId))
    .leftJoin(moderationDecisions, sql`${moderationDecisions.id} = ${lastDecision}`);
}

type SelectedItem = Awaited<ReturnType<ReturnType<typeof selectItems>["execute"]>>[number];
const toItem = (r: SelectedItem): ModerationItemRow => ({
  file: r.file,
  kind: r.kind,
  ownerId: r.ownerId,
  ownerEmail: r.ownerEmail,
  ownerName: r.ownerName,
  decision: r.decision ? { ...r.decision, byEmail: r.byEmail, byName: r.byName } : null,
});

/**
 * The review queue (`held` or `pending`: oldest first, so nothing waits
 * forever behind new arrivals) or the decided files (newest decision first).
 * Files of deleted jobs are not listed.
 */
export async function listModeration(
  db: Tx,
  opts: { state: "held" | "pending" | "decided"; limit: number; cursor?: ModerationCursor | null },
): Promise<{ rows: ModerationItemRow[]; next: ModerationCursor | null }> {
  const state = opts.state;
  const decided = state === "decided";
  const where: (SQL | undefined)[] = [sql`${generations.deletedAt} is null`];
  const c = opts.cursor;
  if (decided) {
    where.push(
      sql`${mediaFiles.moderationState} in ('approved', 'removed')`,
      sql`${moderationDecisions.id} is not null`,
    );
    if (c) {
      where.push(
        or(
          lt(moderationDecisions.decidedAt, c.at),
          and(eq(moderationDecisions.decidedAt, c.at), lt(moderationDecisions.id, c.id)),
        ),
      );
    }
  } else {
    where.push(eq(mediaFiles.moderationState, state === "held" ? "held" : "pending"));
    if (c) {
      where.push(or(gt(mediaFiles.createdAt, c.at), and(eq(mediaFiles.createdAt, c.at), gt(mediaFiles.id, c.id))));
    }
  }
  const rows = await selectItems(db)
    .where(and(...where))
    .orderBy(
      ...(decided
        ? [desc(moderationDecisions.decidedAt), desc(moderationDecisions.id)]
        : [asc(mediaFiles.createdAt), asc(mediaFiles.id)]),
    )
    .limit(opts.limit + 1);
  const shown = rows.slice(0, opts.limit).map(toItem);
  const last = shown.at(-1);
  let next: ModerationCursor | null = null;
  if (rows.length > opts.limit && last) {
    next =
      decided && last.decision
        ? { at: last.decision.decidedAt, id: last.decision.id }
        : { at: last.file.createdAt, id: last.file.id };
  }
  return { rows: shown, next };
}

/** One file as the review queue shows it, whatever its state. */
export async function getModerationItem(db: Tx, fileId: string): Promise<ModerationItemRow | null> {
  const [row] = await selectItems(db).where(eq(mediaFiles.id, fileId));
  return row ? toItem(row) : null;
}

/** A file and its job's owner, the row locked for the caller's transaction; null when missing or its job deleted. */
export async function lockModerationFile(
  tx: Tx,
  fileId: string,
): Promise<{ file: MediaFile; ownerId: string; kind: "image" | "video" } | null> {
  const [row] = await tx
    .select({ file: mediaFiles, ownerId: generations.authorId, kind: generations.kind })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(and(eq(mediaFiles.id, fileId), sql`${generations.deletedAt} is null`))
    .for("update", { of: mediaFiles });
  return row ?? null;
}

/** Applies and records an admin's decision on a held file (locked by the caller). */
export async function decideHeldFile(
  tx: Tx,
  file: MediaFile,
  ownerId: string,
  decision: ModerationDecision,
  adminId: string,
  at: Date,
): Promise<ModerationDecisionRow> {
  await tx
    .update(mediaFiles)
    .set(
      decision === "approve"
        ? { moderationState: "approved" }
        : // The bytes are deleted after commit; nothing may point at them from now on.
          { moderationState: "removed", blurredKey: null },
    )
    .where(eq(mediaFiles.id, file.id));
  const [row] = await tx
    .insert(moderationDecisions)
    .values({
      id: randomUUID(),
      mediaFileId: file.id,
      generationId: file.generationId,
      storageKey: file.storageKey,
      ownerId,
      nsfwScore: file.nsfwScore,
      decision,
      decidedBy: adminId,
      decidedAt: at,
    })
    .returning();
  if (!row) {
    throw new Error("The decision was not recorded");
  }
  return row;
}

/** A file by id with its job's owner (the admin's review of the original). */
export async function getFileWithOwner(
  db: Tx,
  fileId: string,
): Promise<{ file: MediaFile; ownerId: string; deleted: boolean } | null> {
  const [row] = await db
    .select({ file: mediaFiles, ownerId: generations.authorId, deletedAt: generations.deletedAt })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(eq(mediaFiles.id, fileId));
  return row ? { file: row.file, ownerId: row.ownerId, deleted: row.deletedAt !== null } : null;
}
