import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateWebhookSecret, webhookSecretProblem } from "@sorami/contracts/signature";
import { LOG_LEVELS, type LogLevel } from "@sorami/log";
import { z } from "zod";
import { splitList } from "./comma-list";

/**
 * What both services share about configuration: where DATA_DIR is, the
 * secrets generated into it once, and how to validate a process's env.
 * Each app has its own env module built from these pieces; nothing else
 * reads process.env.
 */

/** Secrets shorter than this (in bytes) are refused at start-up. */
export const SECRET_MIN_BYTES = 32;

export function resolveDataDir(raw: string | undefined, cwd = process.cwd()): string {
  return path.resolve(cwd, raw && raw.length > 0 ? raw : ".data");
}

export type GeneratedSecrets = {
  /**
   * Signs webhooks from the generator to the web app: `whsec_<base64 key>`
   * (Standard Webhooks), or a plain string in files written before that form.
   */
  webhookSecret: string;
  /** Authenticates the web app's calls to the generator. */
  serviceKey: string;
  /** better-auth's cookie and token signing secret. */
  authSecret: string;
  /** Password of the embedded PostgreSQL superuser (loopback only). */
  databasePassword: string;
};

const secretsFileSchema = z.object({
  webhookSecret: z.string(),
  serviceKey: z.string(),
  authSecret: z.string(),
  databasePassword: z.string(),
});

/**
 * Reads DATA_DIR/secrets.json, creating it (mode 0600) with fresh random
 * secrets the first time. Creation uses O_EXCL so two processes starting at
 * once agree on one set.
 */
export function loadOrCreateSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, "secrets.json");
  mkdirSync(dataDir, { recursive: true });
  const fresh = (): string => randomBytes(32).toString("base64url");
  try {
    const generated: GeneratedSecrets = {
      webhookSecret: generateWebhookSecret(),
      serviceKey: fresh(),
      authSecret: fresh(),
      databasePassword: fresh(),
    };
    writeFileSync(file, JSON.stringify(generated, null, 2), { flag: "wx", mode: 0o600 });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
      throw error;
    }
  }
  return secretsFileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}

/** A secret given by env must be strong; a weak one stops start-up. */
export function strongSecret(name: string) {
  return z.string().refine((s) => Buffer.byteLength(s, "utf8") >= SECRET_MIN_BYTES, {
    message: `${name} must be at least ${SECRET_MIN_BYTES} bytes`,
  });
}

export const portSchema = z.coerce.number().int().min(1).max(65535);

/** A webhook secret: `whsec_<base64>` with a key of ≥ 24 bytes, or a plain string of ≥ 32 bytes (see `webhookKey`). */
const webhookSecretSchema = z.string().superRefine((secret, ctx) => {
  const problem = webhookSecretProblem(secret);
  if (problem) {
    ctx.addIssue({ code: "custom", message: `WEBHOOK_SECRET ${problem}` });
  }
});

/** Comma-separated webhook secrets: the first signs, all verify (rotation); each must be strong. */
export const webhookSecretListSchema = z
  .string()
  .transform((raw) => splitList(raw))
  .pipe(z.array(webhookSecretSchema).min(1, "WEBHOOK_SECRET is empty"));

/**
 * Lifetime of the signed URLs media are read through on S3. A URL is handed
 * out valid for at least half of it (see S3Storage.signedUrl): at least 30 s
 * at the low end, so clock skew cannot expire it on the way; at most an hour,
 * so a leaked URL stops working soon.
 */
export const S3_PRESIGN_SECONDS_MIN = 60;
export const S3_PRESIGN_SECONDS_MAX = 3600;
export const S3_PRESIGN_SECONDS_DEFAULT = 600;

/** S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Where media live, as `createStorage` in `@sorami/storage` takes it. */
export type StorageSettings =
  | { kind: "local"; root: string }
  | {
      kind: "s3";
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      presignSeconds: number;
    };

/** The variables both services read, with the same meaning and defaults. */
export const sharedEnvShape = {
  PORT: portSchema.default(3000),
  GENERATOR_PORT: portSchema.default(9006),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it)"),
  WEBHOOK_SECRET: webhookSecretListSchema.optional(),
  SERVICE_KEY: strongSecret("SERVICE_KEY").optional(),
  /** fatal, error, warn, info (default), debug, trace or silent. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /**
   * Bearer token Prometheus sends to GET /metrics (on each service's own
   * port). Unset: no metrics are kept and /metrics answers 404. As strong as
   * the other secrets: the web app's port is public.
   */
  METRICS_TOKEN: strongSecret("METRICS_TOKEN").optional(),
  /** A queue worker pool silent this long is taken as dead and its jobs run again elsewhere. */
  QUEUE_STALE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  /** Where media live: DATA_DIR/media, or an S3 bucket (credentials from the standard AWS chain). */
  STORAGE: z.enum(["local", "s3"]).default("local"),
  S3_BUCKET: z.string().regex(S3_BUCKET_PATTERN, "must be a valid S3 bucket name").optional(),
  S3_REGION: z.string().min(1).optional(),
  /** An S3-compatible server (MinIO, R2…); unset for AWS. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  S3_PRESIGN_SECONDS: z.coerce
    .number()
    .int()
    .min(S3_PRESIGN_SECONDS_MIN)
    .max(S3_PRESIGN_SECONDS_MAX)
    .default(S3_PRESIGN_SECONDS_DEFAULT),
};

type StorageEnv = {
  STORAGE: "local" | "s3";
  S3_BUCKET?: string;
  S3_REGION?: string;
  S3_ENDPOINT?: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_PRESIGN_SECONDS: number;
};

/** The storage settings from env; STORAGE=s3 needs a bucket and a region, stated rather than guessed. */
export function resolveStorage(parsed: StorageEnv, dataDir: string): StorageSettings {
  if (parsed.STORAGE === "local") {
    return { kind: "local", root: path.join(dataDir, "media") };
  }
  const missing = (["S3_BUCKET", "S3_REGION"] as const).filter((name) => !parsed[name]);
  if (missing.length > 0) {
    throw new Error(`Invalid configuration:\n${missing.map((m) => `  ${m}: required when STORAGE=s3`).join("\n")}`);
  }
  return {
    kind: "s3",
    bucket: parsed.S3_BUCKET ?? "",
    region: parsed.S3_REGION ?? "",
    endpoint: parsed.S3_ENDPOINT?.replace(/\/$/, ""),
    forcePathStyle: parsed.S3_FORCE_PATH_STYLE,
    presignSeconds: parsed.S3_PRESIGN_SECONDS,
  };
}

/** Resolves DATA_DIR and fills every secret the env left unset from DATA_DIR/secrets.json. */
export function resolveShared(
  parsed: {
    DATA_DIR?: string;
    DATABASE_URL: string;
    WEBHOOK_SECRET?: string[];
    SERVICE_KEY?: string;
    QUEUE_STALE_SECONDS: number;
    LOG_LEVEL: LogLevel;
    METRICS_TOKEN?: string;
  } & StorageEnv,
) {
  const dataDir = resolveDataDir(parsed.DATA_DIR);
  const storage = resolveStorage(parsed, dataDir);
  const generated = loadOrCreateSecrets(dataDir);
  return {
    dataDir,
    generated,
    databaseUrl: parsed.DATABASE_URL,
    /** The first secret signs; the others are accepted during a rotation. */
    webhookSecrets: parsed.WEBHOOK_SECRET ?? [generated.webhookSecret],
    serviceKey: parsed.SERVICE_KEY ?? generated.serviceKey,
    queueStaleAfterMs: parsed.QUEUE_STALE_SECONDS * 1000,
    storage,
    logLevel: parsed.LOG_LEVEL,
    metricsToken: parsed.METRICS_TOKEN,
  };
}

/**
 * Validates an env object with a schema; on failure prints every problem and
 * exits, so a misconfigured service never half-starts.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export { catalogDefaults } from "./catalog";
export { commaList, splitList } from "./comma-list";
export { loadPromptPolicy, type ModerationSettings, moderationEnvShape, resolveModeration } from "./moderation";
export {
  type ActiveCatalog,
  type CatalogEnv,
  catalogEnvShape,
  inputImageEnvShape,
  loadActiveCatalog,
} from "./providers";
export { databasePassword, secretValues } from "./secret-values";
