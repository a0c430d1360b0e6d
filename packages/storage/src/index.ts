import { createReadStream } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

/**
 * Where generated files live. The database stores keys, never URLs; the web
 * app turns a key into a URL when it answers a request.
 */
export interface Storage {
  put(key: string, data: Buffer, contentType: string): Promise<{ key: string; sizeBytes: number }>;
  /** null when there is no object at that key. `range` is inclusive, as in HTTP. */
  open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null>;
  deletePrefix(prefix: string): Promise<void>;
}

export type ByteRange = { start: number; end: number };

/** Keys are relative slash-separated paths of plain names: no "..", no absolute paths. */
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

export function isValidKey(key: string): boolean {
  return key.length <= 512 && KEY_PATTERN.test(key) && !key.split("/").includes("..");
}

export class InvalidStorageKeyError extends Error {
  constructor(key: string) {
    super(`Invalid storage key: ${JSON.stringify(key.slice(0, 100))}`);
  }
}

/** Files under a directory (DATA_DIR/media by default). Writes are atomic: temp file, then rename. */
export class LocalStorage implements Storage {
  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    if (!isValidKey(key)) throw new InvalidStorageKeyError(key);
    const full = path.resolve(this.root, key);
    // Belt and braces: the pattern already forbids escaping the root.
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new InvalidStorageKeyError(key);
    return full;
  }

  async put(key: string, data: Buffer): Promise<{ key: string; sizeBytes: number }> {
    const full = this.resolve(key);
    await mkdir(path.dirname(full), { recursive: true });
    const tmp = `${full}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, full);
    return { key, sizeBytes: data.length };
  }

  async open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null> {
    const full = this.resolve(key);
    try {
      const info = await stat(full);
      if (!info.isFile()) return null;
      return { stream: createReadStream(full, range), sizeBytes: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.resolve(prefix), { recursive: true, force: true });
  }
}

export function mediaRoot(dataDir: string): string {
  return path.join(dataDir, "media");
}

/** Content type by file extension, for serving. */
export function contentTypeFor(key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1).toLowerCase();
  const types: Record<string, string> = {
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    webp: "image/webp",
    mp4: "video/mp4",
  };
  return types[ext] ?? "application/octet-stream";
}

/** Reads a whole object into memory (small objects only: input images); null when absent. */
export async function readObject(storage: Storage, key: string): Promise<Buffer | null> {
  const opened = await storage.open(key);
  if (!opened) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
