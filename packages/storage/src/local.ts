import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { access, constants, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
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

  async open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null> {
    const full = this.resolve(key);
    try {
      const info = await stat(full);
      if (!info.isFile()) {
        return null;
      }
      return { stream: createReadStream(full, range), sizeBytes: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return null;
      }
      throw error;
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.resolve(prefix), { recursive: true, force: true });
  }

  async check(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }
}

export function mediaRoot(dataDir: string): string {
  return path.join(dataDir, "media");
}
