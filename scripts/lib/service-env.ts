/**
 * The environment the launcher gives both services. Whatever the operator set
 * reaches them as set; the launcher only fills in what it alone knows (the
 * database it started, the resolved DATA_DIR) and defaults for what was left
 * unset. `env` (tests) comes last.
 */
export type ServiceEnvInput = {
  /** The launcher's own environment: the operator's settings. */
  inherited: Record<string, string | undefined>;
  dataDir: string;
  databaseUrl: string;
  port: number;
  generatorPort: number;
  env?: Record<string, string>;
};

/** What a test runner sets that must not reach services started as in production. */
const TEST_RUNNER_VARIABLES = /^(VITEST.*|TEST|JEST_WORKER_ID)$/;

/** Loopback when the generator listens on every interface (or by default), else the address it binds. */
export function generatorLocalUrl(host: string | undefined, port: number): string {
  const h = !host || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${h.includes(":") ? `[${h}]` : h}:${port}`;
}

export function buildServiceEnv(input: ServiceEnvInput): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(input.inherited).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !TEST_RUNNER_VARIABLES.test(entry[0]),
    ),
  );
  return {
    // Defaults, each overridden by the operator's own value.
    NEXT_TELEMETRY_DISABLED: "1",
    WEB_URL: `http://localhost:${input.port}`,
    GENERATOR_URL: generatorLocalUrl(inherited.GENERATOR_HOST, input.generatorPort),
    ...inherited,
    // The services run as in production: `next start` needs it, and no check is skipped.
    NODE_ENV: "production",
    // What the launcher resolved from the operator's values (DATA_DIR made absolute; PORT and
    // GENERATOR_PORT parsed from theirs) or started itself (the embedded database, unless DATABASE_URL).
    DATA_DIR: input.dataDir,
    DATABASE_URL: input.databaseUrl,
    PORT: String(input.port),
    GENERATOR_PORT: String(input.generatorPort),
    ...input.env,
  };
}
