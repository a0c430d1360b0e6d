import {
  loadOrCreateSecrets,
  parseEnv,
  parseSecretList,
  portSchema,
  resolveDataDir,
  strongSecret,
} from "@sorami/config";
import { z } from "zod";

/** The generator's whole configuration. Nothing else in this app reads process.env. */
const schema = z.object({
  GENERATOR_PORT: portSchema.default(9006),
  /** Loopback by default: only the web app calls the generator. */
  GENERATOR_HOST: z.string().default("127.0.0.1"),
  PORT: portSchema.default(3000),
  /** Where webhooks go; defaults to the web app on this machine. */
  WEB_URL: z.string().url().optional(),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it)"),
  WEBHOOK_SECRET: z.string().optional(),
  SERVICE_KEY: strongSecret("SERVICE_KEY").optional(),
  /** How long the local provider pretends to work, so progress can be watched. 0 for tests and benchmarks. */
  LOCAL_PROVIDER_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  /**
   * Jobs run at once by this process. Image work is CPU-bound (sharp uses its
   * own threads), so more than the core count only adds queueing inside sharp.
   */
  GENERATOR_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Send documents 000/002's X-Webhook-Secret header too, for receivers that predate signatures. */
  WEBHOOK_SEND_LEGACY_SECRET: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  ENVIRONMENT: z.string().default("production"),
});

export type GeneratorEnv = ReturnType<typeof loadEnv>;

export function loadEnv(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(schema, env);
  const dataDir = resolveDataDir(parsed.DATA_DIR);
  const generated = loadOrCreateSecrets(dataDir);
  const webhookSecrets = parseSecretList(parsed.WEBHOOK_SECRET) ?? [generated.webhookSecret];
  for (const secret of webhookSecrets)
    parseEnv(z.object({ WEBHOOK_SECRET: strongSecret("WEBHOOK_SECRET") }), { WEBHOOK_SECRET: secret });
  return {
    port: parsed.GENERATOR_PORT,
    host: parsed.GENERATOR_HOST,
    webUrl: (parsed.WEB_URL ?? `http://127.0.0.1:${parsed.PORT}`).replace(/\/$/, ""),
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    /** The first secret signs; the others are accepted during a rotation. */
    webhookSecrets,
    serviceKey: parsed.SERVICE_KEY ?? generated.serviceKey,
    localProviderDelayMs: parsed.LOCAL_PROVIDER_DELAY_MS,
    concurrency: parsed.GENERATOR_CONCURRENCY,
    sendLegacySecret: parsed.WEBHOOK_SEND_LEGACY_SECRET,
    environment: parsed.ENVIRONMENT,
  };
}
