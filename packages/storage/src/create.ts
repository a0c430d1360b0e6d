import { LocalStorage } from "./local";
import { S3Storage } from "./s3";
import type { Storage } from "./storage";

/** Which store a process uses; built from env by `@sorami/config` (`STORAGE`, `S3_*`). */
export type StorageConfig =
  | { kind: "local"; root: string }
  | {
      kind: "s3";
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      presignSeconds: number;
    };

/** The one place a process turns its configuration into a store. */
export function createStorage(config: StorageConfig): Storage {
  return config.kind === "local" ? new LocalStorage(config.root) : new S3Storage(config);
}
