import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

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
  /** Signs webhooks from the generator to the web app. */
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
      webhookSecret: fresh(),
      serviceKey: fresh(),
      authSecret: fresh(),
      databasePassword: fresh(),
    };
    writeFileSync(file, JSON.stringify(generated, null, 2), { flag: "wx", mode: 0o600 });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
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

/** Comma-separated webhook secrets: the first signs, all verify (rotation); each must be strong. */
export const webhookSecretListSchema = z
  .string()
  .transform((raw) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(strongSecret("WEBHOOK_SECRET")).min(1, "WEBHOOK_SECRET is empty"));

/** The variables both services read, with the same meaning and defaults. */
export const sharedEnvShape = {
  PORT: portSchema.default(3000),
  GENERATOR_PORT: portSchema.default(9006),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it)"),
  WEBHOOK_SECRET: webhookSecretListSchema.optional(),
  SERVICE_KEY: strongSecret("SERVICE_KEY").optional(),
  /** A queue worker pool silent this long is taken as dead and its jobs run again elsewhere. */
  QUEUE_STALE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
};

/** Resolves DATA_DIR and fills every secret the env left unset from DATA_DIR/secrets.json. */
export function resolveShared(parsed: {
  DATA_DIR?: string;
  DATABASE_URL: string;
  WEBHOOK_SECRET?: string[];
  SERVICE_KEY?: string;
  QUEUE_STALE_SECONDS: number;
}) {
  const dataDir = resolveDataDir(parsed.DATA_DIR);
  const generated = loadOrCreateSecrets(dataDir);
  return {
    dataDir,
    generated,
    databaseUrl: parsed.DATABASE_URL,
    /** The first secret signs; the others are accepted during a rotation. */
    webhookSecrets: parsed.WEBHOOK_SECRET ?? [generated.webhookSecret],
    serviceKey: parsed.SERVICE_KEY ?? generated.serviceKey,
    queueStaleAfterMs: parsed.QUEUE_STALE_SECONDS * 1000,
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

export { type ActiveProviderConfig, providerEnvShape, resolveProviders } from "./providers";
