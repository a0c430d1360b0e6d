import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, constants, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type ByteRange,
  bodySize,
  exactLength,
  InvalidStorageKeyError,
  isValidKey,
  type PutBody,
  type Storage,
} from "./storage";

/** Files under a directory (DATA_DIR/media by default). Writes are atomic: temp file, then rename. */
export class LocalStorage implements Storage {
  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    if (!isValidKey(key)) {
      throw new InvalidStorageKeyError(key);
    }
    const full = path.resolve(this.root, key);
    // Belt and braces: the pattern already forbids escaping the root.
    if (!full.startsWith(path.resolve(this.root) + path.sep)) {
      throw new InvalidStorageKeyError(key);
    }
    return full;
  }

  async put(key: string, data: PutBody): Promise<{ key: string; sizeBytes: number }> {
    const full = this.resolve(key);
    await mkdir(path.dirname(full), { recursive: true });
    const tmp = `${full}.${randomBytes(8).toString("hex")}.tmp`;
    try {
      if (Buffer.isBuffer(data)) {
        await writeFile(tmp, data);
      } else {
        await pipeline(data.stream, exactLength(data.sizeBytes), createWriteStream(tmp));
      }
      await rename(tmp, full);
    } catch (error) {
      await rm(tmp, { force: true });
      await rm(full, { force: true });
      throw error;
    }
    return { key, sizeBytes: bodySize(data) };
  }

  /**
   * The file is opened once and read from that descriptor, so a file removed
   * in between is either read whole or reported missing, never a stream that
   * fails halfway.
   */
  async open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null> {
    const full = this.resolve(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(full, "r");
    } catch (error) {
      if (meansNoSuchObject(error)) {
        return null;
      }
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return null;
      }
      return { stream: handle.createReadStream(range ?? {}), sizeBytes: info.size };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    try {
      await rm(this.resolve(prefix), { recursive: true, force: true });
    } catch (error) {
      // A prefix below a file (images/x/image_1.png/y) has nothing under it to delete.
      if (!meansNoSuchObject(error)) {
        throw error;
      }
    }
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }
}

/**
 * File system errors that mean "there is no object at this key" rather than
 * a fault: missing (ENOENT), a path through a file (ENOTDIR:
 * `images/x/image_1.png/thumb.webp`), a directory (EISDIR), a name the file
 * system cannot hold (ENAMETOOLONG), a symlink loop (ELOOP). The media route
 * answers them 404, never 500.
 */
const NO_SUCH_OBJECT_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR", "ENAMETOOLONG", "ELOOP"]);

function meansNoSuchObject(error: unknown): boolean {
  return NO_SUCH_OBJECT_CODES.has(String((error as NodeJS.ErrnoException)?.code));
}

export function mediaRoot(dataDir: string): string {
  return path.join(dataDir, "media");
}
