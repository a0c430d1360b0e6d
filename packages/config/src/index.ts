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
  /** Signs short-lived media links. */
  mediaSecret: string;
  /** Password of the embedded PostgreSQL superuser (loopback only). */
  databasePassword: string;
};

const secretsFileSchema = z.object({
  webhookSecret: z.string(),
  serviceKey: z.string(),
  authSecret: z.string(),
  mediaSecret: z.string(),
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
      mediaSecret: fresh(),
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

/** Comma-separated list of webhook secrets: the first signs, all verify (rotation). */
export function parseSecretList(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  const list = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
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
