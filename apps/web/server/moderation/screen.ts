import {
  HELD_PREVIEW_BLUR_SIGMA,
  HELD_PREVIEW_MAX_SIDE,
  heldPreviewKey,
  isHeld,
  type JobKind,
} from "@sorami/contracts";
import type { Database, MediaFile } from "@sorami/db";
import { publishUserEvent } from "@sorami/db/queries/events";
import { getGenerationById } from "@sorami/db/queries/generations";
import { pendingFilesOf, recordScreening } from "@sorami/db/queries/moderation";
import { readObject, type Storage } from "@sorami/storage";
import sharp from "sharp";
import { type GeneratorClient, GeneratorRefused } from "../generator-client";

/**
 * Largest source decoded for a blurred copy: the largest image Sorami makes
 * (a 4096² upscale). The source is normally the file's 384 px thumbnail.
 */
export const HELD_PREVIEW_SOURCE_MAX_PIXELS = 4096 * 4096;

/**
 * The screening task (WEB_TASKS.screen), queued with the `completed` event
 * that stored a job's files while screening is on: the generator scores the
 * files with the offline model (`POST /api/jobs/{id}/screen`), and each
 * pending file becomes `clear` or `held` here, with its score, in one
 * transaction with the owner's live event. It runs after the job completed,
 * never on its path: the owner sees "being checked" for the moment it takes.
 *
 * Fail closed: a file the model could not score, or a job the generator
 * cannot screen (it refused: a job it never ran), is held for an admin to
 * look at rather than shown unscreened. An unreachable generator is an
 * error: the queue tries again later and the files stay pending (not shown).
 */
export async function screenGenerationFiles(
  deps: { db: Database; storage: Storage; generator: GeneratorClient; threshold: number | null },
  jobId: string,
): Promise<{ clear: number; held: number }> {
  const pending = await pendingFilesOf(deps.db, jobId);
  const job = pending.length > 0 ? await getGenerationById(deps.db, jobId) : null;
  if (!job || job.deletedAt) {
    return { clear: 0, held: 0 };
  }
  let scored: Awaited<ReturnType<GeneratorClient["screen"]>> = null;
  try {
    scored = await deps.generator.screen(jobId);
  } catch (error) {
    if (!(error instanceof GeneratorRefused)) {
      throw error;
    }
  }
  const counts = { clear: 0, held: 0 };
  for (const file of pending) {
    const result = scored?.files.find((f) => f.index === file.index);
    const nsfw = result?.nsfw ?? null;
    // With screening turned off since the file was stored, nothing is held (the score is still kept).
    const held = deps.threshold !== null && (nsfw === null || isHeld(nsfw, deps.threshold));
    const blurredKey = held ? await storeHeldPreview(deps.storage, file) : null;
    const changed = await deps.db.transaction(async (tx) => {
      const moved = await recordScreening(tx, file.id, {
        state: held ? "held" : "clear",
        nsfwScore: nsfw,
        scores: result?.scores ?? null,
        blurredKey,
        at: new Date(),
      });
      if (moved) {
        await publishUserEvent(tx, job.authorId, "moderation", {
          job_id: job.id,
          kind: job.kind as JobKind,
          file_id: file.id,
          index: file.index,
          state: held ? "held" : "clear",
        });
      }
      return moved;
    });
    if (changed) {
      counts[held ? "held" : "clear"]++;
    }
  }
  return counts;
}

/**
 * The blurred copy a held file's owner sees: made from its thumbnail (or
 * poster, or the file), shrunk to HELD_PREVIEW_MAX_SIDE and blurred, stored
 * beside the file. Shapes and colours only: nothing of the original's
 * detail can be recovered from 64 blurred pixels. Null when no source can be
 * read or decoded (the owner then sees the notice alone).
 */
export async function storeHeldPreview(storage: Storage, file: MediaFile): Promise<string | null> {
  for (const source of [file.thumbnailKey, file.posterKey, file.storageKey]) {
    if (!source) {
      continue;
    }
    const bytes = await readObject(storage, source);
    if (!bytes) {
      continue;
    }
    try {
      const preview = await sharp(bytes, { limitInputPixels: HELD_PREVIEW_SOURCE_MAX_PIXELS })
        .rotate()
        .resize(HELD_PREVIEW_MAX_SIDE, HELD_PREVIEW_MAX_SIDE, { fit: "inside" })
        .blur(HELD_PREVIEW_BLUR_SIGMA)
        .webp()
        .toBuffer();
      const key = heldPreviewKey(file.storageKey);
      await storage.put(key, preview, "image/webp");
      return key;
    } catch {
      // Not decodable (a video file itself): try the next source, else no preview.
    }
  }
  return null;
}
