export { createStorage } from "./create";
export { LocalStorage, mediaRoot } from "./local";
// The S3 store itself is `@sorami/storage/s3`: importing it loads the AWS SDK.
export type { S3StorageOptions } from "./s3";
export {
  type ByteRange,
  contentTypeFor,
  InvalidStorageKeyError,
  isValidKey,
  type PutBody,
  readObject,
  type Storage,
  StorageLengthError,
  storedContentType,
} from "./storage";
