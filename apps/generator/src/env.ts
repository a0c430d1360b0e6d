import {
  catalogEnvShape,
  inputImageEnvShape,
  loadActiveCatalog,
  parseEnv,
  resolveShared,
  secretValues,
  sharedEnvShape,
  splitList,
} from "@sorami/config";
import type { CatalogEntry, CatalogProvider } from "@sorami/contracts";
import { z } from "zod";

/** The generator's whole configuration. Nothing else in this app reads process.env. */
const schema = z
  .object({
    ...sharedEnvShape,
    ...catalogEnvShape,
    ...inputImageEnvShape,
    /** Gemini API key (Google AI Studio): makes the Gemini image and Veo video models active. */
    GEMINI_API_KEY: z.string().min(1).optional(),
    /** Another Gemini API endpoint (a proxy, or a test server speaking its REST format). */
    GOOGLE_GEMINI_BASE_URL: z.string().url().optional(),
    /** OpenAI API key: makes OpenAI's GPT image model active. */
    OPENAI_API_KEY: z.string().min(1).optional(),
    /** Another OpenAI API endpoint (a proxy, or a test server speaking its REST format), ending in /v1. */
    OPENAI_BASE_URL: z.string().url().optional(),
    /** fal key: makes fal's models active (the built-in ones and any in MODELS_FILE). */
    FAL_KEY: z.string().min(1).optional(),
    /** fal's queue API elsewhere (a proxy, or a test server speaking its REST format); default https://queue.fal.run. */
    FAL_BASE_URL: z.string().url().optional(),
    /** Replicate API token: makes Replicate's models active. */
    REPLICATE_API_TOKEN: z.string().min(1).optional(),
    /** Replicate's API elsewhere; default https://api.replicate.com/v1. */
    REPLICATE_BASE_URL: z.string().url().optional(),
    /** Black Forest Labs key: makes BFL's FLUX models active. */
    BFL_API_KEY: z.string().min(1).optional(),
    /** BFL's API elsewhere; default https://api.bfl.ai. */
    BFL_BASE_URL: z.string().url().optional(),
    /** ComfyUI instances, comma-separated base URLs (credentials: see README.md "Use your own GPUs"): makes the workflow models active. */
    COMFYUI_URLS: z.string().optional(),
    /** The folder of ComfyUI workflows and their `.sorami.json` descriptors (one model each); required with COMFYUI_URLS. */
    COMFYUI_WORKFLOWS_DIR: z.string().min(1).optional(),
    /** A1111/Forge servers started with --api, comma-separated base URLs: makes their checkpoints active. */
    A1111_URLS: z.string().optional(),
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
  /** A provider is configured when its key is set; Veo runs on the Gemini key. */
  const keys: Partial<Record<CatalogProvider, string>> = {
    gemini: parsed.GEMINI_API_KEY,
    veo: parsed.GEMINI_API_KEY,
    openai: parsed.OPENAI_API_KEY,
    fal: parsed.FAL_KEY,
    replicate: parsed.REPLICATE_API_TOKEN,
    bfl: parsed.BFL_API_KEY,
  };
  // Self-hosted engines are configured by their URLs; the providers parse them (and their credentials) at start.
  if (parsed.COMFYUI_URLS?.trim()) {
    keys.comfyui = parsed.COMFYUI_URLS;
  }
  if (parsed.A1111_URLS?.trim()) {
    keys.a1111 = parsed.A1111_URLS;
  }
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
    inputImageAllowedHosts: parsed.INPUT_IMAGE_ALLOWED_HOSTS,
    providerConfig: {
      keys,
      baseUrls: {
        gemini: parsed.GOOGLE_GEMINI_BASE_URL,
        openai: parsed.OPENAI_BASE_URL,
        fal: parsed.FAL_BASE_URL,
        replicate: parsed.REPLICATE_BASE_URL,
        bfl: parsed.BFL_BASE_URL,
      },
      vendorModels: { gemini: parsed.GEMINI_IMAGE_MODEL, veo: parsed.VEO_MODEL, openai: parsed.OPENAI_IMAGE_MODEL },
    },
    /** COMFYUI_* and A1111_* as set: the engines' URLs, credentials and workflow folder (read by providers/engines/setup.ts). */
    engineVariables: Object.fromEntries(
      Object.entries(env).filter(([name]) => name.startsWith("COMFYUI_") || name.startsWith("A1111_")),
    ),
    /**
     * The active catalog (built-ins, the engines' models, MODELS_FILE, the
     * keys set), or an error naming the file, line, entry and field or the
     * variable to change.
     */
    loadCatalog: (engineEntries?: (listed: readonly CatalogEntry[]) => Promise<readonly CatalogEntry[]>) =>
      loadActiveCatalog({
        env: parsed,
        keys,
        // An OpenAI-compatible server's key is in the variable its api_key_env names.
        environment: env,
        engineEntries,
      }),
    /** The value of a variable MODELS_FILE names (an OpenAI-compatible server's api_key_env). */
    secret: (name: string): string | undefined => env[name] || undefined,
    logLevel: shared.logLevel,
    metricsToken: shared.metricsToken,
    /** Every secret value this process knows: the logger scrubs them from every line. */
    secretValues: secretValues(env, shared.generated, shared.databaseUrl),
  };
}
