import { type JobKind, KIND_INFO, parseJobKey, TERMINAL_STATUSES } from "@sorami/contracts";
import { and, asc, desc, eq, gt, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { Tx } from "../client";
import { type Generation, generations, type MediaFile, mediaFiles } from "../schema";
import { prepared } from "./prepared";

/** Deleted jobs are hidden from every read; only webhook apply and the purge see them (by lock). */
const notDeleted = isNull(generations.deletedAt);

/** A user's job, or null: another user's job — or a deleted one — is indistinguishable from a missing one. */
export async function getGenerationForOwner(db: Tx, ownerId: string, id: string): Promise<Generation | null> {
  const query = prepared(db, "generation_for_owner", () =>
    db
      .select()
      .from(generations)
      .where(
        and(
          eq(generations.id, sql.placeholder("id")),
          eq(generations.authorId, sql.placeholder("ownerId")),
          notDeleted,
        ),
      )
      .prepare("generation_for_owner"),
  );
  const [row] = await query.execute({ id, ownerId });
  return row ?? null;
}

/**
 * A job by id, deleted or not. For queue tasks and the reconciler, which
 * carry ids only; a user's request reads through getGenerationForOwner.
 */
export async function getGenerationById(db: Tx, id: string): Promise<Generation | null> {
  const [row] = await db.select().from(generations).where(eq(generations.id, id));
  return row ?? null;
}

/** Inserts a job row (its id is the job id everywhere); `organizationId` may be a subquery. */
export async function insertGeneration(tx: Tx, values: PgInsertValue<typeof generations>): Promise<Generation> {
  const [row] = await tx.insert(generations).values(values).returning();
  if (!row) {
    throw new Error("The job row was not written");
  }
  return row;
}

/** Sets the prompt of a job created from a webhook, once a later event reports it. */
export async function setGenerationPrompt(tx: Tx, id: string, prompt: string): Promise<void> {
  await tx.update(generations).set({ prompt }).where(eq(generations.id, id));
}

/** Soft-deletes a job: every read hides it from now on (see `deletedAt`). */
export async function markGenerationDeleted(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(generations).set({ deletedAt: at, updatedAt: at }).where(eq(generations.id, id));
}

/** Removes a job's media rows (its files are gone from storage). */
export async function deleteMediaFilesOf(db: Tx, generationId: string): Promise<void> {
  await db.delete(mediaFiles).where(eq(mediaFiles.generationId, generationId));
}

/**
 * Unfinished jobs with no update for longer than their kind's SLA, the
 * fewest failed repairs and then the longest-silent first: what the
 * reconciler checks with the generator.
 */
export async function listStaleGenerations(
  db: Tx,
  staleAfterSeconds: Record<JobKind, number>,
  limit: number,
): Promise<Generation[]> {
  const staleFor = (kind: JobKind) =>
    and(
      eq(generations.kind, kind),
      lt(generations.updatedAt, sql`now() - make_interval(secs => ${staleAfterSeconds[kind]})`),
    );
  return (
    db
      .select()
      .from(generations)
      .where(and(notInArray(generations.status, [...TERMINAL_STATUSES]), or(staleFor("image"), staleFor("video"))))
      // The jobs whose repairs failed least come first: one that keeps failing never blocks the others.
      .orderBy(generations.repairFailures, generations.updatedAt)
      .limit(limit)
  );
}

/** Restarts a job's SLA clock (the reconciler checked it and it is still running). */
export async function touchGeneration(db: Tx, id: string): Promise<void> {
  await db.update(generations).set({ updatedAt: new Date() }).where(eq(generations.id, id));
}

/** Locks the row for the rest of the transaction (webhook apply, dispatch failure). */
export async function lockGeneration(tx: Tx, id: string): Promise<Generation | null> {
  const [row] = await tx.select().from(generations).where(eq(generations.id, id)).for("update");
  return row ?? null;
}

/**
 * Marks a job FAILED with `reason` by a plain update of its row, nothing
 * else: the last resort when failing it the normal way (state machine,
 * notification, events) cannot be written. A finished job is left alone.
 */
export async function forceFailGeneration(db: Tx, id: string, reason: string, errorKind: string): Promise<void> {
  const now = new Date();
  await db
    .update(generations)
    .set({ status: "FAILED", error: reason, errorKind, message: "Generation failed", updatedAt: now, completedAt: now })
    .where(and(eq(generations.id, id), notInArray(generations.status, [...TERMINAL_STATUSES])));
}

/**
 * Records that repairing a job failed: one more failure, and its clock
 * restarted so the next run looks at it last. Returns the count now.
 */
export async function recordRepairFailure(db: Tx, id: string): Promise<number> {
  const [row] = await db
    .update(generations)
    .set({ repairFailures: sql`${generations.repairFailures} + 1`, updatedAt: new Date() })
    .where(eq(generations.id, id))
    .returning({ failures: generations.repairFailures });
  return row?.failures ?? 0;
}

export async function getGenerationByIdempotencyKey(db: Tx, ownerId: string, key: string): Promise<Generation | null> {
  const [row] = await db
    .select()
    .from(generations)
    .where(and(eq(generations.authorId, ownerId), eq(generations.idempotencyKey, key)));
  return row ?? null;
}

export async function filesOf(db: Tx, generationIds: string[]): Promise<Map<string, MediaFile[]>> {
  const map = new Map<string, MediaFile[]>();
  if (generationIds.length === 0) {
    return map;
  }
  const query = prepared(db, "files_of", () =>
    db
      .select()
      .from(mediaFiles)
      .where(sql`${mediaFiles.generationId} = any(${sql.placeholder("ids")}::text[])`)
      .orderBy(asc(mediaFiles.generationId), asc(mediaFiles.index))
      .prepare("files_of"),
  );
  const rows = await query.execute({ ids: generationIds });
  for (const row of rows) {
    const list = map.get(row.generationId) ?? [];
    list.push(row);
    map.set(row.generationId, list);
  }
  return map;
}

export type Cursor = { createdAt: Date; id: string };

/**
 * Keyset page of a user's generations, newest first: (created_at, id) below
 * the cursor, served by generations_author_created_idx whatever the depth.
 */
export async function listGenerationsForOwner(
  db: Tx,
  ownerId: string,
  opts: {
    limit: number;
    cursor?: Cursor | null;
    kind?: Generation["kind"];
    /** Only jobs in one of these statuses; every status when absent. */
    statuses?: readonly Generation["status"][] | null;
    /** Only jobs of this model (the one that served them, or was asked for while they run). */
    model?: string | null;
  },
): Promise<{ rows: Generation[]; next: Cursor | null }> {
  // One prepared statement per shape (kind, statuses, model, cursor each present or not).
  const name = `gallery_page${opts.kind ? "_kind" : ""}${opts.statuses ? "_statuses" : ""}${opts.model ? "_model" : ""}${opts.cursor ? "_after" : ""}`;
  const query = prepared(db, name, () => {
    const conditions = [eq(generations.authorId, sql.placeholder("ownerId")), notDeleted];
    if (opts.kind) {
      conditions.push(eq(generations.kind, sql.placeholder("kind")));
    }
    if (opts.statuses) {
      conditions.push(sql`${generations.status} = any(${sql.placeholder("statuses")}::text[])`);
    }
    if (opts.model) {
      conditions.push(eq(generations.model, sql.placeholder("model")));
    }
    if (opts.cursor) {
      conditions.push(
        sql`(${generations.createdAt}, ${generations.id}) < (${sql.placeholder("afterAt")}::timestamptz, ${sql.placeholder("afterId")})`,
      );
    }
    return db
      .select()
      .from(generations)
      .where(and(...conditions))
      .orderBy(desc(generations.createdAt), desc(generations.id))
      .limit(sql.placeholder("limit"))
      .prepare(name);
  });
  const rows = await query.execute({
    ownerId,
    kind: opts.kind,
    statuses: opts.statuses ? [...opts.statuses] : undefined,
    model: opts.model ?? undefined,
    afterAt: opts.cursor?.createdAt.toISOString(),
    afterId: opts.cursor?.id,
    limit: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > opts.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/**
 * The file (or its video poster, its thumbnail, its blurred copy) at a storage key, for its
 * owner. Authorized by the job whose folder holds the key
 * (`images/{job_id}/…`, `videos/{job_id}/…`): that job must be the user's, of
 * the folder's kind, not deleted, and list the key. A row of another job
 * listing the key grants nothing, so a forged report can never hand one
 * user's file to another.
 */
export async function getOwnedFileByKey(db: Tx, ownerId: string, storageKey: string): Promise<MediaFile | null> {
  return fileInJobFolder(db, storageKey, ownerId);
}

/**
 * The same file by the same rule, whoever owns its job: only for links the
 * server signed itself (`/api/media/{key}?expires=&signature=`), where the
 * signature is the authorization.
 */
export async function getFileBySignedKey(db: Tx, storageKey: string): Promise<MediaFile | null> {
  return fileInJobFolder(db, storageKey, null);
}

async function fileInJobFolder(db: Tx, storageKey: string, ownerId: string | null): Promise<MediaFile | null> {
  const place = parseJobKey(storageKey);
  const kind = place && (Object.keys(KIND_INFO) as JobKind[]).find((k) => KIND_INFO[k].plural === place.folder);
  if (!place || !kind) {
    return null;
  }
  const [row] = await db
    .select({ file: mediaFiles })
    .from(mediaFiles)
    .innerJoin(generations, eq(generations.id, mediaFiles.generationId))
    .where(
      and(
        eq(generations.id, place.jobId),
        eq(mediaFiles.generationId, place.jobId),
        eq(generations.kind, kind),
        or(
          eq(mediaFiles.storageKey, storageKey),
          eq(mediaFiles.posterKey, storageKey),
          eq(mediaFiles.thumbnailKey, storageKey),
          eq(mediaFiles.blurredKey, storageKey),
        ),
        ownerId === null ? undefined : eq(generations.authorId, ownerId),
        notDeleted,
      ),
    )
    .limit(1);
  return row?.file ?? null;
}

/**
 * The job whose input image is at `storageKey` (`inputs/{job_id}/input.…`),
 * if that job is not deleted and its stored input image is exactly this key.
 * Only for links the server signed itself: a documents backend fetches a
 * job's input image through one (its `input_image_url`).
 */
export async function getInputImageBySignedKey(db: Tx, storageKey: string): Promise<{ generationId: string } | null> {
  const place = parseJobKey(storageKey);
  if (place?.folder !== "inputs") {
    return null;
  }
  const [row] = await db
    .select({ generationId: generations.id })
    .from(generations)
    .where(
      and(eq(generations.id, place.jobId), sql`${generations.params}->>'input_image_key' = ${storageKey}`, notDeleted),
    )
    .limit(1);
  return row ?? null;
}

/**
 * What a user's live stream starts from: every unfinished job, and those
 * that changed since `since`, newest change first.
 */
export async function listLiveGenerationsForOwner(
  db: Tx,
  ownerId: string,
  since: Date,
  limit: number,
): Promise<Generation[]> {
  return db
    .select()
    .from(generations)
    .where(
      and(
        ownerId === null ? undefined : eq(generations.authorId, ownerId),
        notDeleted,
        or(notInArray(generations.status, [...TERMINAL_STATUSES]), gt(generations.updatedAt, since)),
      ),
    )
    .orderBy(desc(generations.updatedAt))
    .limit(limit);
}

/** A pending job's place in line: pending jobs (anyone's) submitted before it, plus one. */
export async function queuePosition(db: Tx, g: Pick<Generation, "id" | "createdAt">): Promise<number> {
  const [row] = await db
    .select({ ahead: sql<number>`count(*)::int` })
    .from(generations)
    .where(
      and(
        eq(generations.status, "PENDING"),
        or(
          lt(generations.createdAt, g.createdAt),
          and(eq(generations.createdAt, g.createdAt), lt(generations.id, g.id)),
        ),
      ),
    );
  return (row?.ahead ?? 0) + 1;
}
