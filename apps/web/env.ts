import {
  commaList,
  moderationEnvShape,
  parseEnv,
  providerEnvShape,
  resolveModeration,
  resolveProviders,
  resolveShared,
  secretValues,
  sharedEnvShape,
  strongSecret,
} from "@sorami/config";
import { USER_MAX_ACTIVE_JOBS_DEFAULT, USER_SUBMISSIONS_PER_MINUTE_DEFAULT } from "@sorami/contracts";
import { z } from "zod";

/**
 * The web app's whole configuration, validated once on first use (not at
 * import: `next build` imports route modules without a database). Nothing
 * else in this app reads process.env.
 */
const schema = z.object({
  ...sharedEnvShape,
  /** IMAGE_PROVIDER, VIDEO_PROVIDER…: submissions are checked against the active providers' limits. */
  ...providerEnvShape,
  /** MODERATION_BLOCKLIST, MODERATION_THRESHOLD: the prompt policy and image screening. */
  ...moderationEnvShape,
  GENERATOR_URL: z.string().url().optional(),
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

function parse(env: Record<string, string | undefined>) {
  const parsed = parseEnv(schema, env);
  const shared = resolveShared(parsed);
  const webUrl = (parsed.WEB_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, "");
  return {
    port: parsed.PORT,
    webUrl,
    generatorUrl: (parsed.GENERATOR_URL ?? `http://127.0.0.1:${parsed.GENERATOR_PORT}`).replace(/\/$/, ""),
    dataDir: shared.dataDir,
    databaseUrl: shared.databaseUrl,
    webhookSecrets: shared.webhookSecrets,
    serviceKey: shared.serviceKey,
    queueStaleAfterMs: shared.queueStaleAfterMs,
    storage: shared.storage,
    authSecret: parsed.BETTER_AUTH_SECRET ?? shared.generated.authSecret,
    authRateLimit: { enabled: parsed.AUTH_RATE_LIMIT, max: parsed.AUTH_RATE_LIMIT_MAX },
    trustProxy: parsed.TRUST_PROXY,
    workerConcurrency: parsed.WEB_WORKER_CONCURRENCY,
    providers: resolveProviders(parsed),
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
