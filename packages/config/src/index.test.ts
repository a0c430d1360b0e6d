import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  databasePassword,
  loadOrCreateSecrets,
  parseEnv,
  resolveStorage,
  S3_PRESIGN_SECONDS_DEFAULT,
  S3_PRESIGN_SECONDS_MAX,
  S3_PRESIGN_SECONDS_MIN,
  SECRET_MIN_BYTES,
  secretValues,
  sharedEnvShape,
} from "./index";

const schema = z.object(sharedEnvShape);
const base = { DATABASE_URL: "postgres://x" };

describe("shared configuration", () => {
  it("refuses webhook secrets and service keys shorter than SECRET_MIN_BYTES", () => {
    const weak = "a".repeat(SECRET_MIN_BYTES - 1);
    const strong = "a".repeat(SECRET_MIN_BYTES);
    expect(() => parseEnv(schema, { ...base, WEBHOOK_SECRET: weak })).toThrow(
      /WEBHOOK_SECRET must be at least 32 bytes/,
    );
    expect(() => parseEnv(schema, { ...base, WEBHOOK_SECRET: `${strong},${weak}` })).toThrow(/WEBHOOK_SECRET/);
    expect(() => parseEnv(schema, { ...base, SERVICE_KEY: weak })).toThrow(/SERVICE_KEY/);
    expect(parseEnv(schema, { ...base, WEBHOOK_SECRET: ` ${strong} , ${"b".repeat(40)} ` }).WEBHOOK_SECRET).toEqual([
      strong,
      "b".repeat(40),
    ]);
  });

  it("takes whsec_ secrets (Standard Webhooks) with a key of at least 24 bytes, in strict base64", () => {
    const svix = `whsec_${randomBytes(24).toString("base64")}`;
    const strong = "a".repeat(SECRET_MIN_BYTES);
    expect(parseEnv(schema, { ...base, WEBHOOK_SECRET: `${svix},${strong}` }).WEBHOOK_SECRET).toEqual([svix, strong]);
    expect(() => parseEnv(schema, { ...base, WEBHOOK_SECRET: `whsec_${randomBytes(23).toString("base64")}` })).toThrow(
      /WEBHOOK_SECRET must be whsec_ and the base64 of at least 24 bytes/,
    );
    expect(() =>
      parseEnv(schema, { ...base, WEBHOOK_SECRET: `whsec_${randomBytes(33).toString("base64url")}_-` }),
    ).toThrow(/WEBHOOK_SECRET after whsec_ must be base64/);
  });

  it("requires DATABASE_URL and defaults the ports", () => {
    expect(() => parseEnv(schema, {})).toThrow(/DATABASE_URL/);
    expect(parseEnv(schema, base)).toMatchObject({ PORT: 3000, GENERATOR_PORT: 9006 });
    expect(() => parseEnv(schema, { ...base, PORT: "70000" })).toThrow(/PORT/);
  });

  it("generates strong secrets once, privately, and returns the same ones after", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-config-"));
    const first = loadOrCreateSecrets(dir);
    const again = loadOrCreateSecrets(dir);
    expect(again).toEqual(first);
    for (const value of Object.values(first)) {
      expect(Buffer.byteLength(value)).toBeGreaterThanOrEqual(SECRET_MIN_BYTES);
    }
    expect(new Set(Object.values(first)).size).toBe(Object.keys(first).length);
    const file = path.join(dir, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(first);
    // The webhook secret in the Standard Webhooks form: the official libraries take it as is.
    expect(first.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it("keeps the plain webhook secret of a secrets.json written before the whsec_ form", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-config-"));
    const old = {
      webhookSecret: randomBytes(32).toString("base64url"),
      serviceKey: randomBytes(32).toString("base64url"),
      authSecret: randomBytes(32).toString("base64url"),
      databasePassword: randomBytes(32).toString("base64url"),
    };
    writeFileSync(path.join(dir, "secrets.json"), JSON.stringify(old), { mode: 0o600 });
    expect(loadOrCreateSecrets(dir)).toEqual(old);
  });
});

describe("logs and metrics configuration", () => {
  const schema = z.object(sharedEnvShape);
  const base = { DATABASE_URL: "postgres://localhost/x" };

  it("logs at info unless LOG_LEVEL names another level", () => {
    expect(parseEnv(schema, base).LOG_LEVEL).toBe("info");
    expect(parseEnv(schema, { ...base, LOG_LEVEL: "debug" }).LOG_LEVEL).toBe("debug");
    expect(parseEnv(schema, { ...base, LOG_LEVEL: "silent" }).LOG_LEVEL).toBe("silent");
    expect(() => parseEnv(schema, { ...base, LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
  });

  it("leaves metrics off without METRICS_TOKEN and refuses a weak one", () => {
    expect(parseEnv(schema, base).METRICS_TOKEN).toBeUndefined();
    const strong = "t".repeat(SECRET_MIN_BYTES);
    expect(parseEnv(schema, { ...base, METRICS_TOKEN: strong }).METRICS_TOKEN).toBe(strong);
    expect(() => parseEnv(schema, { ...base, METRICS_TOKEN: strong.slice(1) })).toThrow(/METRICS_TOKEN/);
  });

  it("finds the password in a database URL, to keep it out of the logs", () => {
    expect(databasePassword("postgres://sorami:s%40cret-pass@127.0.0.1:5432/db")).toBe("s@cret-pass");
    expect(databasePassword("postgres://127.0.0.1/db")).toBeUndefined();
    expect(databasePassword("not a url")).toBeUndefined();
  });

  it("collects every secret a process knows for its logger to scrub, by variable name", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-secrets-"));
    const generated = loadOrCreateSecrets(dir);
    const values = secretValues(
      {
        SERVICE_KEY: "service-key-value-0123456789",
        WEBHOOK_SECRET: "whsec_first-one, whsec_second-one",
        METRICS_TOKEN: "metrics-token-value",
        GEMINI_API_KEY: "gemini-key-value",
        AWS_SECRET_ACCESS_KEY: "aws-secret-value",
        AWS_SESSION_TOKEN: "aws-session-value",
        BETTER_AUTH_SECRET: "auth-secret-value",
        S3_BUCKET: "my-bucket",
        IMAGE_PROVIDER: "local",
        PORT: "3000",
      },
      generated,
      "postgres://u:db-password-value@127.0.0.1/db",
    );
    for (const secret of [
      "service-key-value-0123456789",
      "whsec_first-one",
      "whsec_second-one",
      "metrics-token-value",
      "gemini-key-value",
      "aws-secret-value",
      "aws-session-value",
      "auth-secret-value",
      "db-password-value",
      ...Object.values(generated),
    ]) {
      expect(values).toContain(secret);
    }
    for (const plain of ["my-bucket", "local", "3000"]) {
      expect(values).not.toContain(plain);
    }
  });
});

describe("storage configuration", () => {
  const storageOf = (env: Record<string, string>) => resolveStorage(parseEnv(schema, { ...base, ...env }), "/data");

  it("keeps media in DATA_DIR/media unless STORAGE=s3", () => {
    expect(storageOf({})).toEqual({ kind: "local", root: "/data/media" });
    expect(() => storageOf({ STORAGE: "gcs" })).toThrow(/STORAGE/);
  });

  it("needs a bucket and a region for S3, and reads the rest", () => {
    expect(() => storageOf({ STORAGE: "s3" })).toThrow(/S3_BUCKET: required when STORAGE=s3\n {2}S3_REGION/);
    expect(() => storageOf({ STORAGE: "s3", S3_BUCKET: "media" })).toThrow(/S3_REGION/);
    expect(storageOf({ STORAGE: "s3", S3_BUCKET: "media", S3_REGION: "eu-west-3" })).toEqual({
      kind: "s3",
      bucket: "media",
      region: "eu-west-3",
      endpoint: undefined,
      forcePathStyle: false,
      presignSeconds: S3_PRESIGN_SECONDS_DEFAULT,
    });
    expect(
      storageOf({
        STORAGE: "s3",
        S3_BUCKET: "media.example-1",
        S3_REGION: "auto",
        S3_ENDPOINT: "http://minio:9000/",
        S3_FORCE_PATH_STYLE: "true",
      }),
    ).toMatchObject({ bucket: "media.example-1", endpoint: "http://minio:9000", forcePathStyle: true });
    for (const bad of ["Media", "ab", "a".repeat(64), "-media", "media_files"]) {
      expect(() => storageOf({ S3_BUCKET: bad }), bad).toThrow(/S3_BUCKET/);
    }
    expect(() => storageOf({ S3_ENDPOINT: "minio:9000" })).toThrow(/S3_ENDPOINT/);
    expect(() => storageOf({ S3_FORCE_PATH_STYLE: "yes" })).toThrow(/S3_FORCE_PATH_STYLE/);
  });

  it("bounds the signed URL lifetime at S3_PRESIGN_SECONDS_MIN and _MAX", () => {
    const s3 = { STORAGE: "s3", S3_BUCKET: "media", S3_REGION: "us-east-1" };
    for (const ok of [S3_PRESIGN_SECONDS_MIN, S3_PRESIGN_SECONDS_MAX]) {
      expect(storageOf({ ...s3, S3_PRESIGN_SECONDS: String(ok) })).toMatchObject({ presignSeconds: ok });
    }
    for (const bad of [S3_PRESIGN_SECONDS_MIN - 1, S3_PRESIGN_SECONDS_MAX + 1]) {
      expect(() => storageOf({ ...s3, S3_PRESIGN_SECONDS: String(bad) })).toThrow(/S3_PRESIGN_SECONDS/);
    }
  });
});
