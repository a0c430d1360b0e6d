import type { StorageSettings } from "@sorami/config";
import { LocalStorage } from "./local";
import type { S3StorageOptions } from "./s3";
import type { ByteRange, PutBody, Storage } from "./storage";

/**
 * An S3 store whose SDK is loaded on first use: a process on local storage
 * never loads the AWS SDK (~25 MB of RSS per process, measured by the
 * bench's footprint section).
 */
class LazyS3Storage implements Storage {
  private store: Promise<Storage & Required<Pick<Storage, "signedUrl" | "check">>> | undefined;
  constructor(private readonly options: S3StorageOptions) {}
  private get() {
    this.store ??= import("./s3").then(({ S3Storage }) => new S3Storage(this.options));
    return this.store;
  }
  async put(key: string, data: PutBody, contentType: string) {
    return (await this.get()).put(key, data, contentType);
  }
  async open(key: string, range?: ByteRange) {
    return (await this.get()).open(key, range);
  }
  async deletePrefix(prefix: string) {
    return (await this.get()).deletePrefix(prefix);
  }
  async signedUrl(key: string, options?: { contentDisposition?: string }) {
    return (await this.get()).signedUrl(key, options);
  }
  async check() {
    return (await this.get()).check();
  }
}

/** The one place a process turns its configuration (`resolveStorage` in `@sorami/config`) into a store. */
export function createStorage(config: StorageSettings): Storage {
  return config.kind === "local" ? new LocalStorage(config.root) : new LazyS3Storage(config);
}
