import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type System, type SystemOptions, startSystem } from "../../scripts/lib/system";

export type Stack = System & {
  /** The last lines the services printed, for failure messages. */
  logs(): string;
  /** Everything the services printed since start (to check what is never logged). */
  allLogs(): string;
  /** The METRICS_TOKEN both services were given ("" when the test turned metrics off). */
  metricsToken: string;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The real system — embedded PostgreSQL, generator, built web app — on a
 * fresh DATA_DIR and free ports. The web build is made once by the e2e
 * global setup.
 */
export async function startStack(
  options: { env?: Record<string, string>; serviceEnv?: SystemOptions["serviceEnv"] } = {},
): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-e2e-"));
  // PostgreSQL runs as the `postgres` OS user when we are root: it must reach its cluster below here.
  chmodSync(dataDir, 0o755);
  const lines: string[] = [];
  const all: string[] = [];
  // Metrics on in every test stack, so they run where everything else runs; a test can set "" to turn them off.
  const metricsToken = options.env?.METRICS_TOKEN ?? randomBytes(32).toString("base64url");
  // Limits other suites would trip over (many jobs, many sign-ins) are set out of reach;
  // e2e/security/limits.test.ts starts its stack with low ones.
  const env: Record<string, string> = {
    LOCAL_PROVIDER_DELAY_MS: "300",
    AUTH_RATE_LIMIT: "off",
    USER_SUBMISSIONS_PER_MINUTE: "1000000",
    USER_MAX_ACTIVE_JOBS: "1000000",
    ENVIRONMENT: "test",
    ...options.env,
    METRICS_TOKEN: metricsToken,
  };
  if (!metricsToken) {
    delete env.METRICS_TOKEN;
  }
  const system = await startSystem({
    dataDir,
    port: await freePort(),
    generatorPort: await freePort(),
    build: false,
    env,
    serviceEnv: options.serviceEnv,
    log: (line) => {
      lines.push(line);
      all.push(line);
      if (lines.length > 500) {
        lines.shift();
      }
      if (process.env.SORAMI_TEST_LOGS) {
        console.log(line);
      }
    },
  });
  return {
    ...system,
    metricsToken,
    logs: () => lines.slice(-80).join("\n"),
    allLogs: () => all.join("\n"),
    stop: async () => {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
