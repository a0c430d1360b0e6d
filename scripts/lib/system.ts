import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { loadOrCreateSecrets } from "@sorami/config";
import { startEmbeddedPostgres } from "@sorami/db/embedded";
import { runMigrations } from "@sorami/db/migrate";
import { ensureWebBuilt, NEXT_BIN, ROOT, WEB_DIR } from "./build";
import { acquireDataDirLock } from "./lock";

export type ServiceName = "web" | "generator";

export type SystemOptions = {
  dataDir: string;
  port: number;
  generatorPort: number;
  /** Use this PostgreSQL; when absent, embedded PostgreSQL runs inside dataDir. */
  databaseUrl?: string;
  /** Extra environment for both services. */
  env?: Record<string, string>;
  /** Extra environment for one service only (e.g. a generator pointed at a wrong webhook URL). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Where service output goes, line by line. */
  log?: (line: string) => void;
  /** Build the web app if its sources changed (default true). */
  build?: boolean;
};

export type System = {
  webUrl: string;
  generatorUrl: string;
  databaseUrl: string;
  dataDir: string;
  stopService(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /** Stops and starts the embedded PostgreSQL on the same port (fault tests). */
  restartDatabase(): Promise<void>;
  /** The process id of a running service (to read its memory use in tests), or null. */
  pid(name: ServiceName): number | null;
  stop(): Promise<void>;
};

/** How long a service may take to answer its health check after being started. */
const HEALTH_TIMEOUT_MS = 90_000;
/** How long a service gets to stop after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 25_000;

async function waitHealthy(url: string, child: ChildProcess, name: string, tail: () => string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}:\n${tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s:\n${tail()}`);
}

/**
 * Brings up the whole system on one DATA_DIR: lock, secrets, PostgreSQL,
 * migrations, web build, generator and web processes, health checks.
 * `npm start` and the end-to-end tests both use it.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const log = options.log ?? ((line: string) => console.log(line));
  mkdirSync(options.dataDir, { recursive: true });
  const release = acquireDataDirLock(options.dataDir);
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  const children = new Map<ServiceName, ChildProcess>();
  const outputs = new Map<ServiceName, string[]>();

  const stopService = async (name: ServiceName, signal: NodeJS.Signals = "SIGTERM") => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const stop = async () => {
    await Promise.all([stopService("web"), stopService("generator")]);
    await pg?.stop().catch(() => {});
    release();
  };

  try {
    const secrets = loadOrCreateSecrets(options.dataDir);
    if (!options.databaseUrl) {
      pg = await startEmbeddedPostgres({ dataDir: options.dataDir, password: secrets.databasePassword });
    }
    const databaseUrl = options.databaseUrl ?? pg?.url ?? "";
    await runMigrations(databaseUrl);
    if (options.build !== false) await ensureWebBuilt(log);

    const webUrl = `http://localhost:${options.port}`;
    const generatorUrl = `http://127.0.0.1:${options.generatorPort}`;
    // The services run as in production: nothing a test runner sets (VITEST, TEST) reaches them.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(VITEST.*|TEST|JEST_WORKER_ID)$/.test(key)),
    ) as Record<string, string>;
    const env: Record<string, string> = {
      ...inherited,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATA_DIR: options.dataDir,
      DATABASE_URL: databaseUrl,
      PORT: String(options.port),
      GENERATOR_PORT: String(options.generatorPort),
      WEB_URL: webUrl,
      GENERATOR_URL: generatorUrl,
      ...options.env,
    };
    const commands: Record<ServiceName, { args: string[]; cwd: string; health: string }> = {
      generator: {
        args: ["--import", "tsx", path.join(ROOT, "apps/generator/src/main.ts")],
        cwd: ROOT,
        health: `${generatorUrl}/health`,
      },
      web: {
        args: [NEXT_BIN, "start", "-p", String(options.port)],
        cwd: WEB_DIR,
        health: `${webUrl}/api/health`,
      },
    };

    const startService = async (name: ServiceName) => {
      const { args, cwd, health } = commands[name];
      const child = spawn(process.execPath, args, {
        cwd,
        env: { ...env, ...options.serviceEnv?.[name] },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.set(name, child);
      const lines: string[] = [];
      outputs.set(name, lines);
      const onData = (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) {
          if (!line.trim()) continue;
          lines.push(line);
          if (lines.length > 200) lines.shift();
          log(`[${name}] ${line}`);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      await waitHealthy(health, child, name, () => lines.slice(-30).join("\n"));
    };

    const restartDatabase = async () => {
      if (!pg) throw new Error("restartDatabase needs the embedded PostgreSQL");
      const port = pg.port;
      await pg.stop();
      pg = await startEmbeddedPostgres({ dataDir: options.dataDir, password: secrets.databasePassword, port });
    };

    // The generator first: the web app's dispatch worker starts sending at once.
    await startService("generator");
    await startService("web");
    return {
      webUrl,
      generatorUrl,
      databaseUrl,
      dataDir: options.dataDir,
      stopService,
      startService,
      restartDatabase,
      pid: (name) => children.get(name)?.pid ?? null,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
