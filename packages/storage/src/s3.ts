import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  assertValidKey,
  type ByteRange,
  bodySize,
  exactLength,
  type PutBody,
  type Storage,
  storedContentType,
} from "./storage";

export type S3StorageOptions = {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, R2, s3rver…); unset for AWS S3. */
  endpoint?: string;
  /** `bucket` in the path instead of the host name, as most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Lifetime of signed read URLs. */
  presignSeconds: number;
  /**
   * Only for programmatic use (tests against a local server). Services leave
   * it unset: the AWS SDK's standard chain (env, profile, web identity,
   * instance role) provides credentials.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Keys per list page; S3's maximum (and default) is 1000. Smaller only to test paging. */
  listPageSize?: number;
};

/** Keys one DeleteObjects call may remove (S3's limit), and a list page's maximum. */
export const S3_MAX_KEYS_PER_REQUEST = 1000;
/** A server that has not accepted the connection in this time is unreachable; the caller's retry decides. */
export const S3_CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket stays idle this long is dropped (a hung S3 call must not hold a job for its whole time limit). */
export const S3_IDLE_TIMEOUT_MS = 60_000;

/** Stored objects are immutable once a job completes; a signed URL's response may be cached privately. */
const OBJECT_CACHE_CONTROL = "private, max-age=31536000, immutable";

/**
 * Objects in an S3 bucket (or an S3-compatible server). Keys are the same as
 * on disk; the database never holds a URL. Reads for users go through
 * `signedUrl`, a GET signed for a short while.
 */
export class S3Storage implements Storage {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly presignSeconds: number;
  private readonly listPageSize: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.presignSeconds = options.presignSeconds;
    this.listPageSize = Math.min(options.listPageSize ?? S3_MAX_KEYS_PER_REQUEST, S3_MAX_KEYS_PER_REQUEST);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // Checksums only where S3 requires them (DeleteObjects): the default
      // streaming "aws-chunked" trailer is refused by many S3-compatible servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS, requestTimeout: S3_IDLE_TIMEOUT_MS },
    });
  }

  async put(key: string, data: PutBody, contentType: string): Promise<{ key: string; sizeBytes: number }> {
    assertValidKey(key);
    const sizeBytes = bodySize(data);
    const input = {
      Bucket: this.bucket,
      Key: key,
      ContentLength: sizeBytes,
      ContentType: storedContentType(key, contentType),
      CacheControl: OBJECT_CACHE_CONTROL,
    };
    try {
      if (Buffer.isBuffer(data)) {
        await this.client.send(new PutObjectCommand({ ...input, Body: data }));
      } else {
        await this.sendStream(data.stream, sizeBytes, (Body, abortSignal) =>
          this.client.send(new PutObjectCommand({ ...input, Body }), { abortSignal }),
        );
      }
      return { key, sizeBytes };
    } catch (error) {
      // AWS never completes an object from a failed PUT, but s3rver (and
      // some compatible servers) keep what arrived: remove it. Best effort:
      // the put's own error is the one worth reporting.
      await this.deleteKeys([key]).catch(() => {});
      throw error;
    }
  }

  /**
   * The SDK pipes a stream body without listening for its errors, so a
   * failing source would crash the process. We own the pipe instead: a
   * source that fails (or is not the announced length) aborts the request,
   * and a failed request stops reading the source.
   */
  private async sendStream(
    source: Readable,
    sizeBytes: number,
    send: (body: Readable, abortSignal: AbortSignal) => Promise<unknown>,
  ): Promise<void> {
    const abort = new AbortController();
    const body = new PassThrough();
    const piped = pipeline(source, exactLength(sizeBytes), body).catch((error: unknown) => {
      abort.abort(error);
      throw error;
    });
    const sent = send(body, abort.signal).catch((error: unknown) => {
      body.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
    const [pipeResult, sendResult] = await Promise.allSettled([piped, sent]);
    if (pipeResult.status === "rejected") {
      throw pipeResult.reason;
    }
    if (sendResult.status === "rejected") {
      throw sendResult.reason;
    }
  }

  async open(key: string, range?: ByteRange): Promise<{ stream: Readable; sizeBytes: number } | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // "bytes 0-99/1234": the whole object's size is after the slash.
      const total = res.ContentRange ? Number(res.ContentRange.split("/")[1]) : res.ContentLength;
      return { stream: res.Body as Readable, sizeBytes: total ?? 0 };
    } catch (error) {
      if (isNotFound(error)) {
        return null;
      }
      throw error;
    }
  }

  /** Lists `prefix/` page by page and deletes each page in one batch (the object at `prefix` too). */
  async deletePrefix(prefix: string): Promise<void> {
    assertValidKey(prefix);
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${prefix}/`,
          MaxKeys: this.listPageSize,
          ContinuationToken: token,
        }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : []));
      if (first) {
        keys.push(prefix);
      }
      first = false;
      if (keys.length > 0) {
        await this.deleteKeys(keys);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += S3_MAX_KEYS_PER_REQUEST) {
      const batch = keys.slice(i, i + S3_MAX_KEYS_PER_REQUEST);
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = res.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new Error(
          `S3 could not delete ${failed.length} object(s), first ${first?.Key}: ${first?.Code} ${first?.Message}`,
        );
      }
    }
  }

  /** The bucket exists and these credentials reach it (HeadBucket); the error names the bucket. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode;
      throw new Error(
        `S3 bucket "${this.bucket}" is not reachable${status ? ` (HTTP ${status})` : ""}: ${(error as Error).name} ${(error as Error).message}`,
      );
    }
  }

  /**
   * A GET URL valid for `presignSeconds`. The signing time is rounded down
   * to half that lifetime, so every request in the same window gets the
   * same URL (the browser's cache can reuse the object) and the URL handed
   * out is still valid for at least half the lifetime.
   */
  async signedUrl(key: string, options: { contentDisposition?: string; now?: number } = {}): Promise<string> {
    assertValidKey(key);
    const windowMs = Math.max(1, Math.floor(this.presignSeconds / 2)) * 1000;
    const signingDate = new Date(Math.floor((options.now ?? Date.now()) / windowMs) * windowMs);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: options.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: this.presignSeconds, signingDate });
  }
}

/** S3's ways of saying "no object at this key" (some compatible servers answer a bare 404). A missing bucket is not one: that is a fault. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException) || error.name === "NoSuchBucket") {
    return false;
  }
  return error.name === "NoSuchKey" || error.name === "NotFound" || error.$metadata?.httpStatusCode === 404;
}
