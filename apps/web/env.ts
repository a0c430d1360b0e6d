import {
  catalogDefaults,
  catalogEnvShape,
  commaList,
  inputImageEnvShape,
  moderationEnvShape,
  parseEnv,
  resolveModeration,
  resolveShared,
  secretValues,
  sharedEnvShape,
  strongSecret,
} from "@sorami/config";
import {
  BUILT_IN_MODELS,
  type JobKind,
  LOCAL_IMAGE_MODEL,
  LOCAL_VIDEO_MODEL,
  MEDIA_LINK_SECONDS_DEFAULT,
  type ModelView,
  modelViewOf,
  USER_MAX_ACTIVE_JOBS_DEFAULT,
  USER_SUBMISSIONS_PER_MINUTE_DEFAULT,
} from "@sorami/contracts";
import { isValidAllowEntry } from "@sorami/safe-fetch/target";
import { z } from "zod";

/**
 * The web app's whole configuration, validated once on first use (not at
 * import: `next build` imports route modules without a database). Nothing
 * else in this app reads process.env.
 */
const schema = z.object({
  ...sharedEnvShape,
  /**
   * INPUT_IMAGE_ALLOWED_HOSTS. The models and what they can serve come from
   * the generator (GET /api/models), which holds the providers' keys.
   */
  ...inputImageEnvShape,
  /**
   * With GENERATOR_API=documents only (a backend without GET /api/models):
   * the one model of each kind the backend stands for, whose capabilities
   * bound submissions (DEFAULT_*_MODEL, else what IMAGE_PROVIDER /
   * VIDEO_PROVIDER name, else the local models).
   */
  DEFAULT_IMAGE_MODEL: catalogEnvShape.DEFAULT_IMAGE_MODEL,
  DEFAULT_VIDEO_MODEL: catalogEnvShape.DEFAULT_VIDEO_MODEL,
  IMAGE_PROVIDER: catalogEnvShape.IMAGE_PROVIDER,
  VIDEO_PROVIDER: catalogEnvShape.VIDEO_PROVIDER,
  /** MODERATION_BLOCKLIST, MODERATION_THRESHOLD: the prompt policy and image screening. */
  ...moderationEnvShape,
  GENERATOR_URL: z.string().url().optional(),
  /**
   * What GENERATOR_URL speaks: `sorami` (Sorami's generator: the default) or
   * `documents` (a backend that implements document 000 alone, e.g. the
   * Flask/CrewAI one: Sorami then sends the documents' request body, and does
   * without what only its own generator has — asking a job's state, cancel,
   * redelivery).
   */
  GENERATOR_API: z.enum(["sorami", "documents"]).default("sorami"),
  /**
   * How the web app authenticates to GENERATOR_URL: `service-key` (the
   * default: SERVICE_KEY, what Sorami's generator checks), `bearer:<token>`
   * (a token the operator's backend expects) or `none`.
   */
  GENERATOR_AUTH: z
    .string()
    .default("service-key")
    .refine((v) => v === "service-key" || v === "none" || /^bearer:\S+$/.test(v), {
      message: "must be service-key, none or bearer:<token>",
    }),
  /**
   * Accept webhooks authenticated by the documents' `X-Webhook-Secret` header
   * (the secret itself, in clear) besides Standard Webhooks signatures. Off
   * by default: a secret sent in clear can be replayed by whoever sees one
   * request; turn it on only for a backend that cannot sign.
   */
  WEBHOOK_ACCEPT_LEGACY_SECRET: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /**
   * Hosts whose file URLs in a backend's `completed` webhook may be on a
   * private address (a backend or a MinIO on the LAN), comma-separated `host`
   * or `host:port`. Empty by default: only public addresses are fetched.
   */
  REMOTE_MEDIA_ALLOWED_HOSTS: commaList({ lowercase: true }).pipe(
    z.array(z.string().refine(isValidAllowEntry, "each entry must be host or host:port")),
  ),
  /** Lifetime of the signed media links Sorami hands out (an input image a documents backend fetches). */
  MEDIA_LINK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(MEDIA_LINK_SECONDS_DEFAULT),
  /** The address users reach the app at; sign-in origins are checked against it. */
  WEB_URL: z.string().url().optional(),
  BETTER_AUTH_SECRET: strongSecret("BETTER_AUTH_SECRET").optional(),
  /** Sign-in attempts per minute per IP; better-auth's limiter. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
  AUTH_RATE_LIMIT: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
  /**
   * "on" behind a reverse proxy that sets X-Forwarded-For (the sign-in
   * limiter keys on it); "off": the client address is the connection's peer.
   */
  TRUST_PROXY: z
    .enum(["on", "off"])
    .default("off")
    .transform((v) => v === "on"),
  /** Job submissions one user may make per minute (429 with Retry-After beyond). */
  USER_SUBMISSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(USER_SUBMISSIONS_PER_MINUTE_DEFAULT),
  /** Jobs of one user that may be unfinished at once (429 beyond). */
  USER_MAX_ACTIVE_JOBS: z.coerce.number().int().min(1).default(USER_MAX_ACTIVE_JOBS_DEFAULT),
  /** Users signing up with one of these emails (comma-separated) get the admin role. */
  ADMIN_EMAILS: commaList({ lowercase: true }),
  /** How often the reconciler looks for jobs that lost their webhooks. */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** A job with no update for this long is checked with the generator (its kind's SLA). */
  JOB_STALE_SECONDS_IMAGE: z.coerce.number().int().min(1).default(300),
  JOB_STALE_SECONDS_VIDEO: z.coerce.number().int().min(1).default(1800),
  /** A job still unfinished this long after submission is failed with a reason. */
  JOB_MAX_AGE_SECONDS_IMAGE: z.coerce
    .number()
    .int()
    .min(1)
    .default(6 * 3600),
  JOB_MAX_AGE_SECONDS_VIDEO: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * 3600),
  /** Jobs the web app's own queue runs at once (dispatch to the generator). */
  WEB_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export type WebEnv = ReturnType<typeof parse>;

/** The Authorization header value sent to GENERATOR_URL, or null for none. */
function generatorAuthOf(setting: string, serviceKey: string): string | null {
  if (setting === "none") {
    return null;
  }
  return `Bearer ${setting.startsWith("bearer:") ? setting.slice("bearer:".length) : serviceKey}`;
}

const LOCAL_DEFAULTS: Record<JobKind, string> = { image: LOCAL_IMAGE_MODEL, video: LOCAL_VIDEO_MODEL };

/** A documents backend's catalog: the built-in model of each kind its settings name (see the schema). */
function documentsModels(parsed: z.infer<typeof schema>): ModelView[] {
  const named = catalogDefaults(parsed);
  return (["image", "video"] as const).map((kind) => {
    const id = named[kind] ?? LOCAL_DEFAULTS[kind];
    const entry = BUILT_IN_MODELS.find((e) => e.id === id && e.kind === kind);
    if (!entry) {
      throw new Error(
        `Invalid configuration:\n  DEFAULT_${kind.toUpperCase()}_MODEL: ${id} is not a built-in ${kind} model`,
      );
    }
    return modelViewOf(entry, true);
  });
}

/**
 * Image screening runs on Sorami's generator (POST /api/jobs/{id}/screen),
 * which a documents backend does not have: its files would stay pending,
 * shown to no one, for ever. Refused at start instead.
 */
function screeningNeedsSoramiGenerator(parsed: z.infer<typeof schema>): void {
  if (parsed.GENERATOR_API === "documents" && parsed.MODERATION_THRESHOLD !== undefined) {
    throw new Error(
      "Invalid configuration:\n  MODERATION_THRESHOLD: image screening needs Sorami's generator; unset it with GENERATOR_API=documents",
    );
  }
}

function parse(env: Record<string, string | undefined>) {
  const parsed = parseEnv(schema, env);
  screeningNeedsSoramiGenerator(parsed);
  const shared = resolveShared(parsed);
  const webUrl = (parsed.WEB_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, "");
  return {
    port: parsed.PORT,
    webUrl,
    generatorUrl: (parsed.GENERATOR_URL ?? `http://127.0.0.1:${parsed.GENERATOR_PORT}`).replace(/\/$/, ""),
    dataDir: shared.dataDir,
    databaseUrl: shared.databaseUrl,
    webhookSecrets: shared.webhookSecrets,
    acceptLegacyWebhookSecret: parsed.WEBHOOK_ACCEPT_LEGACY_SECRET,
    generatorApi: parsed.GENERATOR_API,
    /** The catalog when GENERATOR_API=documents (Sorami's generator serves its own). */
    documentsModels: parsed.GENERATOR_API === "documents" ? documentsModels(parsed) : [],
    generatorAuth: generatorAuthOf(parsed.GENERATOR_AUTH, shared.serviceKey),
    remoteMediaAllowedHosts: parsed.REMOTE_MEDIA_ALLOWED_HOSTS,
    mediaLinkSeconds: parsed.MEDIA_LINK_SECONDS,
    serviceKey: shared.serviceKey,
    queueStaleAfterMs: shared.queueStaleAfterMs,
    storage: shared.storage,
    authSecret: parsed.BETTER_AUTH_SECRET ?? shared.generated.authSecret,
    authRateLimit: { enabled: parsed.AUTH_RATE_LIMIT, max: parsed.AUTH_RATE_LIMIT_MAX },
    trustProxy: parsed.TRUST_PROXY,
    workerConcurrency: parsed.WEB_WORKER_CONCURRENCY,
    inputImageAllowedHosts: parsed.INPUT_IMAGE_ALLOWED_HOSTS,
    quotas: { submissionsPerMinute: parsed.USER_SUBMISSIONS_PER_MINUTE, maxActiveJobs: parsed.USER_MAX_ACTIVE_JOBS },
    adminEmails: parsed.ADMIN_EMAILS,
    logLevel: shared.logLevel,
    metricsToken: shared.metricsToken,
    /** Every secret value this process knows: the logger scrubs them from every line. */
    secretValues: secretValues(env, shared.generated, shared.databaseUrl),
    moderation: resolveModeration(parsed),
    reconcile: {
      intervalSeconds: parsed.RECONCILE_INTERVAL_SECONDS,
      staleAfterSeconds: { image: parsed.JOB_STALE_SECONDS_IMAGE, video: parsed.JOB_STALE_SECONDS_VIDEO },
      maxAgeSeconds: { image: parsed.JOB_MAX_AGE_SECONDS_IMAGE, video: parsed.JOB_MAX_AGE_SECONDS_VIDEO },
    },
  };
}

let cached: WebEnv | undefined;
export function env(): WebEnv {
  cached ??= parse(process.env);
  return cached;
}
