import { AppError, filesOfData, type GeneratorScreen } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { getGeneratorJob } from "@sorami/db/queries/generator-jobs";
import { scoreImage } from "@sorami/ml/screen";
import { readObject, type Storage } from "@sorami/storage";

/**
 * Scores each stored image of a completed job — a video's poster frame —
 * with the offline screening model (`@sorami/ml`, nsfwjs's MobileNetV2, in
 * this process's model worker), for the web app's moderation task. The
 * scores go back to the caller, which decides with its threshold and keeps
 * the state; nothing is written here. A file that cannot be read or decoded
 * gets null scores (the caller holds it for review rather than pass it).
 * Files are scored one after another: the model runs in one worker anyway.
 */
export async function screenJob(db: Database, storage: Storage, jobId: string): Promise<GeneratorScreen | null> {
  const job = await getGeneratorJob(db, jobId);
  if (!job) {
    return null;
  }
  if (job.status !== "COMPLETED" || !job.result) {
    throw new AppError("conflict", `Job ${jobId} has no stored files to screen (it is ${job.status})`);
  }
  const files: GeneratorScreen["files"] = [];
  for (const [index, item] of filesOfData(job.result).entries()) {
    const key = "poster_path" in item ? item.poster_path : item.file_path;
    if (!key) {
      // Nothing stored to read (a file named by url alone, which this generator never writes): unscorable.
      files.push({ index, scored_key: item.file_path ?? "", scores: null, nsfw: null });
      continue;
    }
    const bytes = await readObject(storage, key);
    const scored = bytes ? await scoreImage(bytes).catch(undecodable) : null;
    files.push({ index, scored_key: key, scores: scored?.scores ?? null, nsfw: scored?.nsfw ?? null });
  }
  return { job_id: jobId, files };
}

/** sharp could not decode the bytes (scoreImage's 422): no score, not a failed call. */
function undecodable(error: unknown): null {
  if (error instanceof AppError && error.code === "unprocessable") {
    return null;
  }
  throw error;
}
