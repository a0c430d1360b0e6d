import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStorage } from "./local";
import { S3Storage } from "./s3";
import { type ByteRange, readObject, type Storage, StorageLengthError } from "./storage";
import { startTestS3, type TestS3 } from "./testing";

/**
 * One behaviour, two stores: every test below runs against a local
 * directory and against S3 (s3rver, the same client code as AWS).
 */
let s3: TestS3;
const localRoot = mkdtempSync(path.join(os.tmpdir(), "sorami-storage-test-"));
const stores: Record<"local" | "s3", () => Storage> = {
  local: () => new LocalStorage(localRoot),
  s3: () => new S3Storage(s3.options()),
};

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.stop();
  rmSync(localRoot, { recursive: true, force: true });
});

/** `size` bytes with a recognisable pattern, as a stream of small chunks. */
function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    bytes[i] = (i * 31 + 7) % 251;
  }
  return bytes;
}
function chunked(data: Buffer, chunk = 16 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) {
    parts.push(data.subarray(i, i + chunk));
  }
  return Readable.from(parts);
}
/** A source that sends `before` bytes, then fails as a broken download would. */
function breaksAfter(before: number): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(pattern(before));
        setTimeout(() => this.destroy(new Error("source connection reset")), 20);
      }
    },
  });
}
async function read(store: Storage, key: string, range?: ByteRange): Promise<Buffer | null> {
  const opened = await store.open(key, range);
  if (!opened) {
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

let n = 0;
const fresh = () => `images/job-${++n}-${Date.now()}`;

describe.each(["local", "s3"] as const)("%s storage", (name) => {
  const store = () => stores[name]();

  it("stores a buffer and reads it back whole and by byte range", async () => {
    const key = `${fresh()}/image_1.png`;
    const data = pattern(10_000);
    expect(await store().put(key, data, "PNG")).toEqual({ key, sizeBytes: 10_000 });
    expect((await read(store(), key))?.equals(data)).toBe(true);
    const part = await store().open(key, { start: 100, end: 199 });
    expect(part?.sizeBytes).toBe(10_000); // the whole object's size, for Content-Range
    expect((await read(store(), key, { start: 100, end: 199 }))?.equals(data.subarray(100, 200))).toBe(true);
  });

  it("streams an upload of a known length without holding it whole", async () => {
    const key = `${fresh()}/video_1.mp4`;
    const data = pattern(3 * 1024 * 1024 + 17);
    expect(await store().put(key, { stream: chunked(data), sizeBytes: data.length }, "video/mp4")).toEqual({
      key,
      sizeBytes: data.length,
    });
    expect((await readObject(store(), key))?.equals(data)).toBe(true);
  });

  it("leaves no object when the source fails midway or is not the announced length", async () => {
    const prefix = fresh();
    const broken = `${prefix}/broken.mp4`;
    await expect(
      store().put(broken, { stream: breaksAfter(64 * 1024), sizeBytes: 1024 * 1024 }, "video/mp4"),
    ).rejects.toThrow(/source connection reset/);
    const short = `${prefix}/short.png`;
    await expect(store().put(short, { stream: chunked(pattern(100)), sizeBytes: 101 }, "PNG")).rejects.toBeInstanceOf(
      StorageLengthError,
    );
    const long = `${prefix}/long.png`;
    await expect(store().put(long, { stream: chunked(pattern(100)), sizeBytes: 99 }, "PNG")).rejects.toBeInstanceOf(
      StorageLengthError,
    );
    for (const key of [broken, short, long]) {
      expect(await store().open(key)).toBeNull();
    }
    // And nothing else was left under the prefix (no temp files, no partial objects).
    await store().put(`${prefix}/ok.png`, pattern(10), "PNG");
    expect(await keysUnder(name, prefix)).toEqual([`${prefix}/ok.png`]);
  });

  it("leaves no object, not even the earlier one, when a rewrite fails", async () => {
    const key = `${fresh()}/image_1.png`;
    await store().put(key, pattern(500), "PNG");
    await expect(store().put(key, { stream: breaksAfter(100), sizeBytes: 1000 }, "PNG")).rejects.toThrow();
    expect(await store().open(key)).toBeNull();
  });

  it("deletes a prefix: every object below it, and only those", async () => {
    const job = fresh();
    const keys = [`${job}/image_1.png`, `${job}/image_2.png`, `${job}/nested/x.png`];
    const neighbour = `${job}0/image_1.png`; // same leading characters, another job
    for (const key of [...keys, neighbour]) {
      await store().put(key, pattern(10), "PNG");
    }
    await store().deletePrefix(job);
    for (const key of keys) {
      expect(await store().open(key)).toBeNull();
    }
    expect(await store().open(neighbour)).not.toBeNull();
    await store().deletePrefix(job); // nothing left: still fine
  });

  it("answers null for a missing object and refuses keys outside the store", async () => {
    expect(await store().open(`${fresh()}/none.png`)).toBeNull();
    for (const bad of ["../etc/passwd", "/abs/key", "a/../../b", "a//b", "", "a/ b"]) {
      await expect(store().put(bad, pattern(1), "PNG")).rejects.toThrow(/Invalid storage key/);
      await expect(store().open(bad)).rejects.toThrow(/Invalid storage key/);
      await expect(store().deletePrefix(bad)).rejects.toThrow(/Invalid storage key/);
    }
  });

  it("answers null, not an error, for every key that names no object: below a file, a folder, a name too long", async () => {
    const job = fresh();
    const file = `${job}/image_1.png`;
    await store().put(file, pattern(10), "PNG");
    const missing = [
      `${file}/thumb.webp`, // a path through a file: ENOTDIR on disk
      `${file}/a/b.png`,
      job, // a folder, not an object
      `${job}/none.png`,
      // Longer than a file name may be: ENAMETOOLONG on disk. (S3 has no such limit; s3rver, which keeps
      // objects as files, answers it with a 500 that S3 never would.)
      ...(name === "local" ? [`${job}/${"n".repeat(300)}.png`] : []),
    ];
    for (const key of missing) {
      expect(await store().open(key), key).toBeNull();
      expect(await store().open(key, { start: 0, end: 1 }), key).toBeNull();
    }
    // Nothing there to delete: no error either. (Not on s3rver: it keeps objects as files and answers a
    // DeleteObjects below one with a 500, which S3, with no directories, never does.)
    for (const key of name === "local" ? [`${file}/thumb.webp`, `${job}/${"n".repeat(300)}.png`] : []) {
      await store().deletePrefix(key);
    }
    expect((await read(store(), file))?.length).toBe(10);
  });
});

describe("local storage check", () => {
  it("passes for a writable directory (created if missing) and fails for one it cannot use", async () => {
    await new LocalStorage(path.join(localRoot, "fresh", "media")).check();
    writeFileSync(path.join(localRoot, "a-file"), "x");
    await expect(new LocalStorage(path.join(localRoot, "a-file", "media")).check()).rejects.toThrow(/ENOTDIR/);
  });
});

/** What a store really holds under a prefix, read from the store itself rather than through our adapter. */
async function keysUnder(name: string, prefix: string): Promise<string[]> {
  if (name === "local") {
    return readdirSync(path.join(localRoot, prefix), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(localRoot, path.join(e.parentPath, e.name)))
      .sort();
  }
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const store = new S3Storage(s3.options());
  const page = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
  return (page.Contents ?? []).map((o) => o.Key ?? "").sort();
}
