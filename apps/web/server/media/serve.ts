import { Readable } from "node:stream";
import { AppError, fileModeration, isShown } from "@sorami/contracts";
import type { MediaFile } from "@sorami/db";
import { getFileBySignedKey, getInputImageBySignedKey, getOwnedFileByKey } from "@sorami/db/queries/generations";
import { type ByteRange, contentTypeFor, isValidKey } from "@sorami/storage";
import { db, storage } from "../db";
import type { SessionUser } from "../session";
import { assertValidMediaLink } from "./links";

/**
 * One `bytes=start-end` range (or `start-`, or `-suffix`) within a file of
 * `size` bytes; null when absent or not one we serve (then the whole file is
 * sent), "unsatisfiable" when it lies outside the file.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | "unsatisfiable" {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === "" && m[2] === "")) {
    return null;
  }
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    return "unsatisfiable";
  }
  return { start, end };
}

/**
 * `?download=1`: saved under a name that says where it came from,
 * `sorami-{first 8 of the job id}-{file name}`. Keys are plain ASCII names, so
 * the header needs no escaping.
 */
export function attachment(jobId: string, key: string): string {
  return `attachment; filename="sorami-${jobId.slice(0, 8)}-${key.slice(key.lastIndexOf("/") + 1)}"`;
}

type ServeOptions = {
  download?: boolean;
  /** What a local answer may be kept for (default: the owner's, for a year); a shared file's must not outlive its link. */
  cacheControl?: string;
};

/**
 * Gives a file to the user who owns its job: the job whose folder holds the
 * key (`images/{job_id}/…`), which must list the key (`getOwnedFileByKey`).
 * No path — traversal or otherwise — reaches a file that job does not list,
 * and a row of another job listing the key grants nothing; a foreign or
 * missing file is a 404, as is a key that names no object in the store.
 */
export async function serveOwnedMedia(
  user: SessionUser,
  segments: string[],
  rangeHeader: string | null,
  options: ServeOptions = {},
): Promise<Response> {
  const key = segments.join("/");
  const file = isValidKey(key) ? await getOwnedFileByKey(db(), user.id, key) : null;
  if (!file) {
    throw new AppError("not_found", "File not found");
  }
  refuseUnlessShown(file, key);
  return serveStoredFile(key, file.generationId, rangeHeader, options);
}

/**
 * A file pending screening, held or removed: its blurred copy alone, never
 * the original or its derivatives (thumbnail, poster), to anyone but an
 * admin (whose review serves it by its own route).
 */
function refuseUnlessShown(file: Pick<MediaFile, "moderationState" | "blurredKey">, key: string): void {
  if (!isShown(file.moderationState) && key !== file.blurredKey) {
    throw new AppError("forbidden", fileModeration(file.moderationState)?.notice ?? "This file is not available");
  }
}

/**
 * Gives a file to whoever holds a link this server signed for it (see
 * links.ts), with no session: an altered or expired link is a 403; a link
 * to a file whose job was deleted since is a 404. A job's input image is
 * served this way too, and only this way.
 */
export async function serveSignedMedia(
  segments: string[],
  search: URLSearchParams,
  rangeHeader: string | null,
): Promise<Response> {
  const key = segments.join("/");
  assertValidMediaLink(key, search);
  // A job's file, or its input image (what a documents backend is sent as input_image_url).
  const mediaFile = isValidKey(key) ? await getFileBySignedKey(db(), key) : null;
  if (mediaFile) {
    // A signed link is no admin's: a held file is refused through it as through its owner's session.
    refuseUnlessShown(mediaFile, key);
  }
  const file = mediaFile ?? (isValidKey(key) ? await getInputImageBySignedKey(db(), key) : null);
  if (!file) {
    throw new AppError("not_found", "File not found");
  }
  return serveStoredFile(key, file.generationId, rangeHeader, {});
}

/**
 * On S3 the answer is a redirect to a GET signed for a few minutes: the
 * bytes go from the bucket to the browser, not through a web process, and
 * S3 serves the byte ranges a player seeks with. The redirect itself is not
 * cached, so each visit is checked again and gets a URL that is still valid.
 * A local directory is streamed, with byte ranges.
 */
export async function serveStoredFile(
  key: string,
  jobId: string,
  rangeHeader: string | null,
  options: ServeOptions,
): Promise<Response> {
  const store = storage();
  if (store.signedUrl) {
    return new Response(null, {
      status: 302,
      headers: {
        Location: await store.signedUrl(key, options.download ? { contentDisposition: attachment(jobId, key) } : {}),
        "Cache-Control": "private, no-store",
      },
    });
  }
  const whole = await store.open(key);
  if (!whole) {
    throw new AppError("not_found", "File not found");
  }
  const headers: Record<string, string> = {
    "Content-Type": contentTypeFor(key),
    "Accept-Ranges": "bytes",
    // Private: the file is the user's; immutable: a key is never rewritten with other content.
    "Cache-Control": options.cacheControl ?? "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    ...(options.download ? { "Content-Disposition": attachment(jobId, key) } : {}),
  };
  const range = parseRange(rangeHeader, whole.sizeBytes);
  if (range === "unsatisfiable") {
    whole.stream.destroy();
    return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${whole.sizeBytes}` } });
  }
  if (!range) {
    return new Response(Readable.toWeb(whole.stream) as ReadableStream, {
      headers: { ...headers, "Content-Length": String(whole.sizeBytes) },
    });
  }
  whole.stream.destroy();
  const part = await store.open(key, range);
  if (!part) {
    throw new AppError("not_found", "File not found");
  }
  return new Response(Readable.toWeb(part.stream) as ReadableStream, {
    status: 206,
    headers: {
      ...headers,
      "Content-Length": String(range.end - range.start + 1),
      "Content-Range": `bytes ${range.start}-${range.end}/${whole.sizeBytes}`,
    },
  });
}
