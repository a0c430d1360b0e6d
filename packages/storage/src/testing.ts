import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { S3StorageOptions } from "./s3";

/**
 * s3rver accepts only this key id. It checks a signed URL's expiry but not
 * the SigV4 HMAC itself (AWS does), so tests here cannot prove a signature
 * right; they prove the URL carries one and expires when it should.
 */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export type TestS3 = {
  endpoint: string;
  bucket: string;
  region: string;
  /** Where s3rver keeps the bucket's files (to look at what really is stored). */
  directory: string;
  /** The s3rver process (for measurements). */
  pid: number | undefined;
  /** Options for an `S3Storage` on this server (explicit test credentials). */
  options: (extra?: Partial<S3StorageOptions>) => S3StorageOptions;
  /** Env for a service process: the `STORAGE=s3` settings plus the standard AWS credential variables. */
  env: () => Record<string, string>;
  stop: () => Promise<void>;
};

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "s3rver-process.mjs");
/** How long s3rver may take to listen. */
const START_TIMEOUT_MS = 20_000;

/**
 * A local S3-compatible server (s3rver) in its own process, on a free port
 * over a temp directory, with one bucket. The S3 adapter talks to it through
 * the same client code as to AWS (path-style, SigV4-signed requests).
 */
export async function startTestS3(bucket = "sorami-media"): Promise<TestS3> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "sorami-s3-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", SERVER_SCRIPT, directory, bucket], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (c: Buffer) => {
    errors = (errors + c.toString()).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${errors}`)), START_TIMEOUT_MS);
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}:\n${errors}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const region = "us-east-1";
  return {
    endpoint,
    bucket,
    region,
    directory,
    pid: child.pid,
    options: (extra = {}) => ({
      bucket,
      region,
      endpoint,
      forcePathStyle: true,
      presignSeconds: 300,
      credentials: { ...S3RVER_CREDENTIALS },
      ...extra,
    }),
    env: () => ({
      STORAGE: "s3",
      S3_BUCKET: bucket,
      S3_REGION: region,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
