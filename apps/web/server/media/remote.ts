import {
  MEDIA_SNIFF_BYTES,
  MEDIA_TYPES,
  type MediaType,
  OUTPUT_DOWNLOAD_TIMEOUT_MS,
  OUTPUT_MAX_BYTES,
  sniffMediaType,
  storableText,
  truncateText,
  withExtension,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import {
  getPendingRemoteFile,
  markRemoteFileMissing,
  markRemoteFileStored,
  type PendingRemoteFile,
} from "@sorami/db/queries/remote-files";
import { type FetchedMedia, fetchMedia, SafeFetchError } from "@sorami/safe-fetch";
import type { Storage } from "@sorami/storage";

/**
 * The follow-up of a `completed` webhook whose files are elsewhere (see
 * webhooks/files.ts): each such file is fetched from the `url` the backend
 * reported, through the safe fetcher — public addresses only, or hosts the
 * operator lists in REMOTE_MEDIA_ALLOWED_HOSTS; at most OUTPUT_MAX_BYTES of
 * its kind; an image or a video by its bytes, never by its Content-Type —
 * and its bytes are stored unchanged in the job's own folder. The webhook
 * was answered long before.
 */

/** A reason a person reads is at most this long (a backend's URL can be 4 KB). */
export const MISSING_REASON_MAX_LENGTH = 500;

export type RemoteFetchOptions = {
  /** REMOTE_MEDIA_ALLOWED_HOSTS: `host` or `host:port` entries that may be on a private address. */
  allowHosts: readonly string[];
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
  /** Fetches the URL (tests give the safe fetcher a resolver of their own). */
  fetch?: typeof fetchMedia;
};

export type RemoteFetchOutcome = "stored" | "already-stored" | "missing" | "nothing-to-do";

/** The file's bytes, when the backend shares Sorami's storage and already put them at the key. */
async function alreadyStored(
  storage: Storage,
  file: PendingRemoteFile,
): Promise<{ sizeBytes: number; type: MediaType } | null> {
  const head = await storage.open(file.storageKey, { start: 0, end: MEDIA_SNIFF_BYTES - 1 });
  if (!head) {
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of head.stream) {
    chunks.push(Buffer.from(chunk));
  }
  const type = sniffMediaType(Buffer.concat(chunks));
  return type && MEDIA_TYPES[type].kind === file.kind ? { sizeBytes: head.sizeBytes, type } : null;
}

/**
 * Fetches one pending file and stores it. Errors that waiting may cure (a
 * timeout, a network error, a 5xx) are thrown back to the queue until the
 * last run; any other, or the last run's, marks the file missing with its
 * reason (an expired presigned URL: "answered HTTP 403").
 */
export async function fetchRemoteFile(
  db: Database,
  storage: Storage,
  fileId: string,
  options: RemoteFetchOptions,
): Promise<RemoteFetchOutcome> {
  const file = await getPendingRemoteFile(db, fileId);
  if (!file) {
    return "nothing-to-do";
  }
  const there = await alreadyStored(storage, file);
  if (there) {
    await markRemoteFileStored(db, file.id, {
      storageKey: file.storageKey,
      sizeBytes: there.sizeBytes,
      format: there.type,
    });
    return "already-stored";
  }
  let fetched: FetchedMedia;
  try {
    fetched = await (options.fetch ?? fetchMedia)(file.sourceUrl, [file.kind], {
      allowHosts: options.allowHosts,
      maxBytes: OUTPUT_MAX_BYTES[file.kind],
      timeoutMs: OUTPUT_DOWNLOAD_TIMEOUT_MS,
      signal: options.signal,
      label: "The backend's file URL",
    });
  } catch (error) {
    const transient = !(error instanceof SafeFetchError) || !error.permanent;
    if (transient && options.attempt < options.maxAttempts && !options.signal.aborted) {
      throw error;
    }
    const reason =
      error instanceof SafeFetchError ? error.message : "The file could not be fetched from the backend's URL.";
    await markRemoteFileMissing(
      db,
      file.id,
      storableText(truncateText(reason, MISSING_REASON_MAX_LENGTH, { ellipsis: "…" })),
    );
    return "missing";
  }
  // Its stem was claimed for every extension at apply (files.ts), so no other file of the job has this key.
  const key = withExtension(file.storageKey, MEDIA_TYPES[fetched.type].ext);
  await storage.put(key, fetched.bytes, fetched.mimeType);
  const recorded = await markRemoteFileStored(db, file.id, {
    storageKey: key,
    sizeBytes: fetched.bytes.length,
    format: fetched.type,
  });
  if (!recorded) {
    // The job was deleted while its file was on the way: nothing may keep it.
    await storage.deletePrefix(key);
    return "nothing-to-do";
  }
  return "stored";
}
