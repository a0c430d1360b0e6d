import { randomUUID } from "node:crypto";
import {
  AppError,
  type JobKind,
  jobOutputKeyProblem,
  KIND_INFO,
  MEDIA_TYPES,
  type MediaType,
  outputPrefix,
  parseSize,
  type WebhookImage,
  type WebhookVideo,
  withExtension,
} from "@sorami/contracts";
import type { NewMediaFile } from "@sorami/db/queries/transitions";

/**
 * The files of a `completed` event, as rows. Two kinds of file arrive:
 *
 * - **Stored**: in Sorami's storage already (what Sorami's own generator
 *   reports): a `file_path` in the job's own folder, with no `url` or with
 *   Sorami's own media route for that key as `url`. Its keys are trusted only
 *   inside the job's folder; anything else is refused naming the field.
 * - **Remote**: anything else that has a `url` — a key of the sender's own
 *   storage (document 002's `./generated_images/…`), a key in the job's
 *   folder served from elsewhere (document 000's S3 URL), no key at all
 *   (document 002's dev curl). Such a key is never trusted: the file is
 *   `pending`, fetched from `url` by a queued task into the job's own folder
 *   (the reported key when it is one of the job's, else a key Sorami makes).
 *   Its poster and thumbnail, if reported, are not in Sorami's storage
 *   either and are dropped.
 *
 * No key may be listed twice (two files under one key would silently become
 * one while the answer counted two).
 */
export type PlacedFile = NewMediaFile;

type ReportedFile = WebhookImage & Partial<Pick<WebhookVideo, "poster_path" | "duration_seconds">>;

/** The storage keys a stored file entry reports, by field. */
const KEY_FIELDS = ["file_path", "poster_path", "thumbnail_path"] as const;

/** The extension a remote file's key starts with, from its reported format (the bytes decide once fetched). */
export function extensionOf(kind: JobKind, format: string): string {
  const type = format.toUpperCase() === "JPG" ? "JPEG" : format.toUpperCase();
  const known = MEDIA_TYPES[type as MediaType];
  return known && known.kind === kind ? known.ext : kind === "image" ? "png" : "mp4";
}

/** The extensions a file of this kind may end up with. */
function extensionsOf(kind: JobKind): string[] {
  return Object.values(MEDIA_TYPES)
    .filter((t) => t.kind === kind)
    .map((t) => t.ext);
}

/** The key Sorami makes for a remote file whose reported key is not one of the job's (or that has none). */
export function remoteFileKey(kind: JobKind, jobId: string, index: number, format: string): string {
  return `${outputPrefix(kind, jobId)}/remote_${index + 1}.${extensionOf(kind, format)}`;
}

/**
 * Whether `url` is Sorami's own media route for `key` (what its generator
 * reports: WEB_URL + `/api/media/{key}`), whatever host and path prefix it names.
 */
function isOwnMediaUrl(url: string, key: string): boolean {
  try {
    return new URL(url, "http://sorami.invalid").pathname.endsWith(`/api/media/${key}`);
  } catch {
    return false;
  }
}

function isFetchableUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Rows for the files of a `completed` event of job `jobId` (see above), each
 * remote one with an id of its own so its fetch can be queued by id. Throws a
 * 400 naming the field before anything is written.
 */
export function placeReportedFiles(kind: JobKind, jobId: string, items: readonly ReportedFile[]): PlacedFile[] {
  const { filesKey } = KIND_INFO[kind];
  const seen = new Map<string, string>();
  const claim = (key: string, field: string) => {
    const first = seen.get(key);
    if (first) {
      throw new AppError("invalid_request", `${field}: the same key as ${first}; each file needs its own`, { field });
    }
    seen.set(key, field);
  };
  return items.map((item, i) => {
    const at = `data.${filesKey}.${i}`;
    const { width, height } = parseSize(item.dimensions);
    const common = {
      sizeBytes: item.size_bytes,
      format: item.format.toUpperCase(),
      width,
      height,
      description: item.description ?? null,
      durationSeconds: item.duration_seconds ?? null,
    };
    const ownKey = item.file_path !== undefined && jobOutputKeyProblem(item.file_path, kind, jobId) === null;
    if (item.file_path !== undefined && ownKey && (item.url === undefined || isOwnMediaUrl(item.url, item.file_path))) {
      for (const name of KEY_FIELDS) {
        const key = item[name];
        if (key === undefined) {
          continue;
        }
        const field = `${at}.${name}`;
        const problem = jobOutputKeyProblem(key, kind, jobId);
        if (problem) {
          throw new AppError("invalid_request", `${field}: ${problem}`, { field });
        }
        claim(key, field);
      }
      return {
        ...common,
        storageKey: item.file_path,
        posterKey: item.poster_path ?? null,
        thumbnailKey: item.thumbnail_path ?? null,
        state: "stored",
      };
    }
    if (item.url === undefined) {
      const field = `${at}.file_path`;
      // Parsing guarantees a file_path when there is no url.
      throw new AppError(
        "invalid_request",
        `${field}: ${jobOutputKeyProblem(item.file_path ?? "", kind, jobId)}, or give the file's url to fetch it from`,
        { field },
      );
    }
    if (!isFetchableUrl(item.url)) {
      const field = `${at}.url`;
      throw new AppError("invalid_request", `${field}: must be an http(s) URL Sorami can fetch the file from`, {
        field,
      });
    }
    const storageKey = ownKey && item.file_path ? item.file_path : remoteFileKey(kind, jobId, i, item.format);
    // Once fetched, it takes the extension of what its bytes are: every such key must be free.
    for (const key of new Set([storageKey, ...extensionsOf(kind).map((ext) => withExtension(storageKey, ext))])) {
      claim(key, `${at}.file_path`);
    }
    return {
      ...common,
      id: randomUUID(),
      storageKey,
      posterKey: null,
      thumbnailKey: null,
      state: "pending",
      sourceUrl: item.url,
    };
  });
}
