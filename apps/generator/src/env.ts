import { parseEnv, providerEnvShape, resolveProviders, resolveShared, sharedEnvShape, splitList } from "@sorami/config";
import { z } from "zod";

/** The generator's whole configuration. Nothing else in this app reads process.env. */
const schema = z
  .object({
    ...sharedEnvShape,
    ...providerEnvShape,
    /** Gemini API key (Google AI Studio), for IMAGE_PROVIDER=gemini and VIDEO_PROVIDER=veo. */
    GEMINI_API_KEY: z.string().min(1).optional(),
    /** Another Gemini API endpoint (a proxy, or a test server speaking its REST format). */
    GOOGLE_GEMINI_BASE_URL: z.string().url().optional(),
    /** OpenAI API key, for IMAGE_PROVIDER=openai. */
    OPENAI_API_KEY: z.string().min(1).optional(),
    /** Another OpenAI API endpoint (a proxy, or a test server speaking its REST format), ending in /v1. */
    OPENAI_BASE_URL: z.string().url().optional(),
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
    /**
     * A compatibility switch: also send documents 000/002's X-Webhook-Secret
     * header, for a receiver that knows only that header. It carries the
     * signing secret itself in clear (whoever sees one delivery can sign
     * webhooks), so it is off unless an operator needs it.
     */
    WEBHOOK_SEND_LEGACY_SECRET: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
    ENVIRONMENT: z.string().default("production"),
    /** Seconds before each webhook attempt, comma-separated; default: the Standard Webhooks schedule. */
    WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .regex(/^\d+(,\d+)*$/, "must be comma-separated whole seconds")
      .transform((raw) => splitList(raw).map(Number))
      .optional(),
  })
  .superRefine((env, ctx) => {
    const google = [
      env.IMAGE_PROVIDER === "gemini" && "IMAGE_PROVIDER=gemini",
      env.VIDEO_PROVIDER === "veo" && "VIDEO_PROVIDER=veo",
    ];
    const needs = google.filter(Boolean).join(" and ");
    if (needs && !env.GEMINI_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["GEMINI_API_KEY"], message: `is required with ${needs}` });
    }
    if (env.IMAGE_PROVIDER === "openai" && !env.OPENAI_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["OPENAI_API_KEY"], message: "is required with IMAGE_PROVIDER=openai" });
    }
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
    providers: resolveProviders(parsed),
    gemini: { apiKey: parsed.GEMINI_API_KEY, baseUrl: parsed.GOOGLE_GEMINI_BASE_URL },
    openai: { apiKey: parsed.OPENAI_API_KEY, baseUrl: parsed.OPENAI_BASE_URL },
  };
}
