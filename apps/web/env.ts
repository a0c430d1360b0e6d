import {
  loadOrCreateSecrets,
  parseEnv,
  parseSecretList,
  portSchema,
  resolveDataDir,
  strongSecret,
} from "@sorami/config";
import { z } from "zod";

/**
 * The web app's whole configuration, validated once on first use (not at
 * import: `next build` imports route modules without a database). Nothing
 * else in this app reads process.env.
 */
const schema = z.object({
  PORT: portSchema.default(3000),
  GENERATOR_PORT: portSchema.default(9006),
  GENERATOR_URL: z.string().url().optional(),
  /** The address users reach the app at; sign-in origins are checked against it. */
  WEB_URL: z.string().url().optional(),
  DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it)"),
  WEBHOOK_SECRET: z.string().optional(),
  SERVICE_KEY: strongSecret("SERVICE_KEY").optional(),
  BETTER_AUTH_SECRET: strongSecret("BETTER_AUTH_SECRET").optional(),
  /** Sign-in attempts per minute per IP; better-auth's limiter. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
  AUTH_RATE_LIMIT: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
  /** Jobs the web app's own queue runs at once (dispatch to the generator). */
  WEB_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export type WebEnv = ReturnType<typeof parse>;

function parse(env: Record<string, string | undefined>) {
  const parsed = parseEnv(schema, env);
  const dataDir = resolveDataDir(parsed.DATA_DIR);
  const generated = loadOrCreateSecrets(dataDir);
  const webhookSecrets = parseSecretList(parsed.WEBHOOK_SECRET) ?? [generated.webhookSecret];
  for (const secret of webhookSecrets) {
    parseEnv(z.object({ WEBHOOK_SECRET: strongSecret("WEBHOOK_SECRET") }), { WEBHOOK_SECRET: secret });
  }
  const webUrl = (parsed.WEB_URL ?? `http://localhost:${parsed.PORT}`).replace(/\/$/, "");
  return {
    port: parsed.PORT,
    webUrl,
    generatorUrl: (parsed.GENERATOR_URL ?? `http://127.0.0.1:${parsed.GENERATOR_PORT}`).replace(/\/$/, ""),
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    webhookSecrets,
    serviceKey: parsed.SERVICE_KEY ?? generated.serviceKey,
    authSecret: parsed.BETTER_AUTH_SECRET ?? generated.authSecret,
    mediaSecret: generated.mediaSecret,
    authRateLimit: { enabled: parsed.AUTH_RATE_LIMIT, max: parsed.AUTH_RATE_LIMIT_MAX },
    workerConcurrency: parsed.WEB_WORKER_CONCURRENCY,
  };
}

let cached: WebEnv | undefined;
export function env(): WebEnv {
  cached ??= parse(process.env);
  return cached;
}
