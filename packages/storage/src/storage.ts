import { type Readable, Transform, type TransformCallback } from "node:stream";
import { isValidStorageKey, truncateText } from "@sorami/contracts";

/**
 * Where generated files live. The database stores keys, never URLs; the web
 * app turns a key into a URL when it answers a request.
 */
export interface Storage {
  /**
   * Writes an object. A reader never sees part of one: after a failed put
   * there is no object at the key at all (a file a run could not finish is
   * worth nothing, and some S3-compatible servers would otherwise expose the
   * bytes that did arrive). A stream must come with its exact length, so it
   * goes out as it is read.
   */
  put(key: string, data: PutBody, contentType: string): Promise<{ key: string; sizeBytes: number }>;
  /** null when there is no object at that key. `range` is inclusive, as in HTTP. */
  open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null>;
  /** Removes the object at `prefix` and every object below `prefix/`. */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A URL from which the object can be fetched directly for a short while
   * (byte ranges included), for stores that can sign one (S3). Absent when
   * the store is only read through `open` (a local directory).
   * `contentDisposition` is the header the response carries (e.g. an
   * attachment with a file name, for a download link).
   */
  signedUrl?(key: string, options?: { contentDisposition?: string }): Promise<string>;
  /** Throws, saying why, unless the store can be written (a process checks this before it takes work). */
  check?(): Promise<void>;
}

/** A whole buffer, or a stream of exactly `sizeBytes` bytes. */
export type PutBody = Buffer | { stream: Readable; sizeBytes: number };

export type ByteRange = { start: number; end: number };

/** Keys are relative slash-separated paths of plain names: no "..", no absolute paths (the rule lives in contracts). */
export function isValidKey(key: string): boolean {
  return isValidStorageKey(key);
}

/** An invalid key is quoted in its error up to this many UTF-16 units. */
const INVALID_KEY_QUOTED_LENGTH = 100;

export class InvalidStorageKeyError extends Error {
  constructor(key: string) {
    super(`Invalid storage key: ${JSON.stringify(truncateText(key, INVALID_KEY_QUOTED_LENGTH, { ellipsis: "…" }))}`);
  }
}

export function assertValidKey(key: string): void {
  if (!isValidKey(key)) {
    throw new InvalidStorageKeyError(key);
  }
}

/** A stream that delivered more or fewer bytes than it was announced with. */
export class StorageLengthError extends Error {
  constructor(expected: number, actual: number) {
    super(`Upload stream length mismatch: announced ${expected} bytes, got ${actual}`);
  }
}

/**
 * Passes bytes through and fails the stream if their count differs from
 * `expected`, so a short or long source can never become an object.
 */
export function exactLength(expected: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > expected) {
        callback(new StorageLengthError(expected, seen));
      } else {
        callback(null, chunk);
      }
    },
    flush(callback: TransformCallback) {
      callback(seen === expected ? null : new StorageLengthError(expected, seen));
    },
  });
}

export function bodySize(data: PutBody): number {
  return Buffer.isBuffer(data) ? data.length : data.sizeBytes;
}

const CONTENT_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  mp4: "video/mp4",
  // A backend's WEBM video, fetched into the job's folder (MP4 is what Sorami's own providers store).
  webm: "video/webm",
};

/** Content type by file extension, for serving. */
export function contentTypeFor(key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/**
 * The type an object is stored with: its extension decides when we know it
 * (callers pass formats such as "PNG" too), else the caller's MIME type.
 */
export function storedContentType(key: string, given: string): string {
  const byKey = contentTypeFor(key);
  if (byKey !== "application/octet-stream") {
    return byKey;
  }
  return /^[\w.+-]+\/[\w.+-]+$/.test(given) ? given : byKey;
}

/** Reads a whole object into memory (small objects only: input images); null when absent. */
export async function readObject(storage: Storage, key: string): Promise<Buffer | null> {
  const opened = await storage.open(key);
  if (!opened) {
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
