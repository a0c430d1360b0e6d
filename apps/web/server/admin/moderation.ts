import {
  type AdminModerationItem,
  type AdminModerationQuery,
  AppError,
  decodeKeysetCursor,
  encodeKeysetCursor,
  type ModerationDecision,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { recordAdminAction } from "@sorami/db/queries/admin-jobs";
import { publishUserEvent } from "@sorami/db/queries/events";
import {
  decideHeldFile,
  getFileWithOwner,
  getModerationItem,
  listModeration,
  lockModerationFile,
  type ModerationItemRow,
} from "@sorami/db/queries/moderation";
import type { Storage } from "@sorami/storage";
import type { SessionUser } from "../session";

/** Where an admin reads a file's original, whatever its state: admins only. */
export function reviewUrl(fileId: string): string {
  return `/api/admin/moderation/${encodeURIComponent(fileId)}/original`;
}

function itemView(r: ModerationItemRow): AdminModerationItem {
  return {
    file_id: r.file.id,
    job_id: r.file.generationId,
    kind: r.kind,
    index: r.file.index,
    owner: { id: r.ownerId, email: r.ownerEmail, name: r.ownerName },
    state: r.file.moderationState,
    nsfw_score: r.file.nsfwScore,
    scores: r.file.moderationScores ?? null,
    screened_at: r.file.screenedAt?.toISOString() ?? null,
    created_at: r.file.createdAt.toISOString(),
    review_url: r.file.moderationState === "removed" ? null : reviewUrl(r.file.id),
    decision: r.decision
      ? {
          decision: r.decision.decision,
          by:
            r.decision.decidedBy && r.decision.byEmail
              ? { id: r.decision.decidedBy, email: r.decision.byEmail, name: r.decision.byName ?? "" }
              : null,
          at: r.decision.decidedAt.toISOString(),
          nsfw_score: r.decision.nsfwScore,
        }
      : null,
  };
}

/** The review queue (held, oldest first), the files still being screened, or the decided ones (newest first). */
export async function listModerationForAdmin(db: Database, query: AdminModerationQuery) {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const { rows, next } = await listModeration(db, { state: query.state, limit: query.limit, cursor });
  return { files: rows.map(itemView), next_cursor: next ? encodeKeysetCursor(next) : null };
}

/**
 * An admin's decision on a held file, recorded (who, when, on what score,
 * what) in the transaction that applies it, with the owner's live event:
 * approve shows it as any file; remove deletes its bytes (the file, its
 * poster, thumbnail and blurred copy) once committed, and its row stays so
 * its owner reads why. Only a held file can be decided (409 otherwise).
 */
export async function decideAsAdmin(
  db: Database,
  storage: Storage,
  admin: SessionUser,
  fileId: string,
  decision: ModerationDecision,
): Promise<AdminModerationItem> {
  const decided = await db.transaction(async (tx) => {
    const found = await lockModerationFile(tx, fileId);
    if (!found) {
      throw new AppError("not_found", "File not found");
    }
    if (found.file.moderationState !== "held") {
      throw new AppError("conflict", `Only a held file can be decided; this one is ${found.file.moderationState}`);
    }
    const row = await decideHeldFile(tx, found.file, found.ownerId, decision, admin.id, new Date());
    await recordAdminAction(tx, {
      adminId: admin.id,
      action: decision === "approve" ? "approve_file" : "remove_file",
      targetType: "job",
      targetId: found.file.generationId,
      detail: { file_id: fileId, nsfw_score: found.file.nsfwScore },
    });
    await publishUserEvent(tx, found.ownerId, "moderation", {
      job_id: found.file.generationId,
      kind: found.kind,
      file_id: fileId,
      index: found.file.index,
      state: decision === "approve" ? "approved" : "removed",
    });
    return { file: found.file, row };
  });
  if (decision === "remove") {
    const { file } = decided;
    for (const key of [file.storageKey, file.posterKey, file.thumbnailKey, file.blurredKey]) {
      if (key) {
        await storage.deletePrefix(key);
      }
    }
  }
  const after = await listModerationItem(db, fileId);
  if (!after) {
    throw new AppError("not_found", "File not found");
  }
  return after;
}

async function listModerationItem(db: Database, fileId: string): Promise<AdminModerationItem | null> {
  const row = await getModerationItem(db, fileId);
  return row ? itemView(row) : null;
}

/** A file's original bytes for an admin's review (its storage key), or a 404 when it is gone. */
export async function reviewFileKey(db: Database, fileId: string): Promise<{ key: string; jobId: string }> {
  const found = await getFileWithOwner(db, fileId);
  if (!found || found.file.moderationState === "removed") {
    throw new AppError("not_found", "File not found");
  }
  // A video is reviewed by its poster (what was scored); an image by itself.
  return { key: found.file.posterKey ?? found.file.storageKey, jobId: found.file.generationId };
}
