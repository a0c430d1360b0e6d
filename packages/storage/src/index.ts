export { createStorage, type StorageConfig } from "./create";
export { LocalStorage, mediaRoot } from "./local";
export {
  S3_CONNECT_TIMEOUT_MS,
  S3_IDLE_TIMEOUT_MS,
  S3_MAX_KEYS_PER_REQUEST,
  S3Storage,
  type S3StorageOptions,
} from "./s3";
export {
  type ByteRange,
  contentTypeFor,
  InvalidStorageKeyError,
  isValidKey,
  type PutBody,
  readObject,
  STORAGE_KEY_MAX_LENGTH,
  type Storage,
  StorageLengthError,
  storedContentType,
} from "./storage";
