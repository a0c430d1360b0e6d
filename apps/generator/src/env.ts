import { parseEnv, resolveShared, sharedEnvShape } from "@sorami/config";
import { z } from "zod";

/** The generator's whole configuration. Nothing else in this app reads process.env. */
const schema = z.object({
  ...sharedEnvShape,
  /** Loopback by default: only the web app calls the generator. */
  GENERATOR_HOST: z.string().default("127.0.0.1"),
  /** Where webhooks go; defaults to the web app on this machine. */
  WEB_URL: z.string().url().optional(),
  /** How long the local provider pretends to work, so progress can be watched. 0 for tests and benchmarks. */
  LOCAL_PROVIDER_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  /** Fault injection (fault suite only): the share of local provider runs that fail transiently. */
  LOCAL_PROVIDER_TRANSIENT_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
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
  /** Seconds before each webhook attempt, comma-separated; default: the Standard Webhooks schedule. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, "must be comma-separated whole seconds")
    .transform((s) => s.split(",").map(Number))
    .optional(),
});

export type GeneratorEnv = ReturnType<typeof loadEnv>;

export function loadEnv(env: Record<string, string | undefined> = process.env) {
  const parsed = parseEnv(schema, env);
  const shared = resolveShared(parsed);
  return {
    port: parsed.GENERATOR_PORT,
    host: parsed.GENERATOR_HOST,
    webUrl: (parsed.WEB_URL ?? `http://127.0.0.1:${parsed.PORT}`).replace(/\/$/, ""),
    dataDir: shared.dataDir,
    databaseUrl: shared.databaseUrl,
    webhookSecrets: shared.webhookSecrets,
    serviceKey: shared.serviceKey,
    queueStaleAfterMs: shared.queueStaleAfterMs,
    storage: shared.storage,
    localProviderDelayMs: parsed.LOCAL_PROVIDER_DELAY_MS,
    localProviderTransientFailureRate: parsed.LOCAL_PROVIDER_TRANSIENT_FAILURE_RATE,
    concurrency: parsed.GENERATOR_CONCURRENCY,
    sendLegacySecret: parsed.WEBHOOK_SEND_LEGACY_SECRET,
    environment: parsed.ENVIRONMENT,
    webhookRetrySchedule: parsed.WEBHOOK_RETRY_SCHEDULE,
  };
}
