import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { loadOrCreateSecrets } from "@sorami/config";
import { freeLocksOfDeadRun } from "@sorami/db/crash-recovery";
import { startEmbeddedPostgres } from "@sorami/db/embedded";
import type { Logger } from "@sorami/log";
import { ensureWebBuilt, NEXT_BIN, ROOT, WEB_DIR } from "./build";
import { acquireDataDirLock } from "./lock";
import { type LauncherOutput, launcherOutput } from "./output";
import { type RunRecord, removeRunRecord, startTimeOf, stopLeftovers, writeRunRecord } from "./run-record";
import { buildServiceEnv, generatorLocalUrl } from "./service-env";
import { crashPolicy, onUnexpectedExit } from "./supervise";

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
  /**
   * Where the launcher's and the services' log lines go, one JSON text per
   * call (default: stdout). Ignored when `output` is given.
   */
  log?: (line: string) => void;
  /** The launcher's output, when the caller made it (npm start: to log before and after the system runs). */
  output?: LauncherOutput;
  /** Build the web app if its sources changed (default true). */
  build?: boolean;
  /**
   * `npm start -- --web-only`: PostgreSQL and the web app alone, in front of
   * a generator running elsewhere (the operator's GENERATOR_URL: Sorami's
   * generator on another machine, or a backend implementing document 000
   * with GENERATOR_API=documents). The launcher migrates the database itself,
   * since no generator here does.
   */
  webOnly?: boolean;
  /**
   * A service crashed too often (supervise.ts) and is not restarted again.
   * `npm start` stops everything and exits non-zero; by default it is only logged.
   */
  onGiveUp?: (id: string) => void;
  /**
   * A service exited cleanly (code 0) without the launcher asking: someone stopped it on
   * purpose (a SIGTERM to it). `npm start` then stops the whole stack in order; by default
   * it is only logged, and the service is not restarted.
   */
  onServiceStopped?: (id: string) => void;
};

/** One more process of a kind, beside the first ones (scale-out: several web or generator processes). */
export type ServiceInstance = {
  /** "web#2", "generator#3"…: the prefix of its log lines. */
  id: string;
  name: ServiceName;
  port: number;
  url: string;
  pid(): number | undefined;
  /** SIGTERM (then SIGKILL after the grace period), or the given signal. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
};

export type System = {
  /** The launcher's logger. */
  log: Logger;
  /** The web app on this machine (what the launcher health-checks; tests call it directly). */
  webUrl: string;
  /** The address users reach the web app at: the operator's WEB_URL, or `webUrl`. */
  publicUrl: string;
  generatorUrl: string;
  databaseUrl: string;
  dataDir: string;
  stopService(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  /**
   * Starts another process of a kind on its own port, with the same env as
   * the first one plus `env` (e.g. another WEB_URL for a second generator).
   * `stop()` stops it with the rest.
   */
  addService(name: ServiceName, options: { port: number; env?: Record<string, string> }): Promise<ServiceInstance>;
  /** The running services' process ids by instance id ("web", "generator", "web#2"…), for measurements. */
  pids(): Record<string, number>;
  /** Stops and starts the embedded PostgreSQL on the same port (fault tests). */
  restartDatabase(): Promise<void>;
  /** Stops the embedded PostgreSQL and leaves it down (an outage, fault tests); `startDatabase` ends it. */
  stopDatabase(): Promise<void>;
  /** Starts the embedded PostgreSQL again on the port it had. */
  startDatabase(): Promise<void>;
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
    // A child killed by a signal has no exit code, only a signal code.
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${tail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        return;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s:\n${tail()}`);
}

/**
 * Brings the database's schema up to this release in a child process (`npm
 * run db:migrate`'s script), so the launcher does not keep the migrator and
 * its drivers in memory for the life of the system.
 */
async function migrateDatabase(databaseUrl: string, env: Record<string, string>, log: (line: string) => void) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/migrate.ts")], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim())) {
      lines.push(line);
      log(`[migrate] ${line}`);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  if (code !== 0) {
    throw new Error(`the database migration failed (exit ${code}):\n${lines.slice(-20).join("\n")}`);
  }
}

/**
 * Brings up the whole system on one DATA_DIR: lock, secrets, PostgreSQL,
 * migrations, web build, generator and web processes, health checks.
 * `npm start` and the end-to-end tests both use it.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const output = options.output ?? launcherOutput({ write: options.log });
  const log = (line: string) => output.log.info(line);
  mkdirSync(options.dataDir, { recursive: true });
  const release = acquireDataDirLock(options.dataDir);
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  // Keyed by instance id: "web" and "generator" for the first ones, "web#2"… for added ones.
  const children = new Map<string, ChildProcess>();
  // Instances stopped on purpose (stopService, stop): their exit is not a crash.
  const stopped = new Set<string>();
  let stopping = false;
  const record: RunRecord = { launcher: process.pid, processes: {} };

  const stopService = async (name: string, signal: NodeJS.Signals = "SIGTERM") => {
    stopped.add(name);
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const stop = async () => {
    stopping = true;
    await Promise.all([...children.keys()].map((id) => stopService(id)));
    await pg?.stop().catch(() => {});
    removeRunRecord(options.dataDir);
    release();
  };

  try {
    // The lock proved the previous launcher on this DATA_DIR dead; whatever it left running goes too.
    for (const leftover of await stopLeftovers(options.dataDir, { embeddedPostgres: !options.databaseUrl })) {
      output.log.warn(`stopped ${leftover}, left running by a previous run whose launcher died`);
    }
    const secrets = loadOrCreateSecrets(options.dataDir);
    output.redactValues(Object.values(secrets));
    if (!options.databaseUrl) {
      pg = await startEmbeddedPostgres({ dataDir: options.dataDir, password: secrets.databasePassword });
      record.postgresPort = pg.port;
      // One machine: the embedded database is reachable from loopback only and belongs to this
      // DATA_DIR, whose previous run is now proven gone, so every queue lock in it is a dead
      // worker's. Freed now, in-flight jobs run as soon as the services start, not after
      // QUEUE_STALE_SECONDS. (On a shared database, DATABASE_URL, the heartbeat rule decides.)
      for (const f of await freeLocksOfDeadRun(pg.url)) {
        if (f.jobs > 0) {
          output.log.info(`${f.queue}: freed ${f.jobs} job(s) locked by ${f.workers} worker(s) of the previous run`);
        }
      }
    }
    writeRunRecord(options.dataDir, record);
    const databaseUrl = options.databaseUrl ?? pg?.url ?? "";
    // No migration here: the generator, started first, migrates before it answers healthy, and
    // the launcher stays a small supervisor (the migrator and its drivers are ~18 MB of RSS it
    // would keep for the life of the system).
    if (options.build !== false) {
      await ensureWebBuilt(log);
    }

    const env = buildServiceEnv({
      inherited: process.env,
      dataDir: options.dataDir,
      databaseUrl,
      port: options.port,
      generatorPort: options.generatorPort,
      env: options.env,
    });
    if (options.webOnly) {
      // The default points at a generator on this machine, which a web-only run does not start.
      if (!process.env.GENERATOR_URL && !options.env?.GENERATOR_URL) {
        throw new Error("--web-only needs GENERATOR_URL: the generator or backend the web app sends jobs to");
      }
      await migrateDatabase(databaseUrl, env, log);
    }
    // The launcher reaches the services on this machine, whatever address users reach them at (WEB_URL).
    const webUrl = `http://localhost:${options.port}`;
    const generatorUrl = generatorLocalUrl(env.GENERATOR_HOST, options.generatorPort);
    const urlOf = (name: ServiceName, port: number) =>
      name === "web" ? `http://localhost:${port}` : generatorLocalUrl(env.GENERATOR_HOST, port);
    const command = (name: ServiceName, port: number): { args: string[]; cwd: string; health: string } =>
      name === "generator"
        ? {
            args: ["--import", "tsx", path.join(ROOT, "apps/generator/src/main.ts")],
            cwd: ROOT,
            health: `${urlOf(name, port)}/health`,
          }
        : { args: [NEXT_BIN, "start", "-p", String(port)], cwd: WEB_DIR, health: `${urlOf(name, port)}/api/health` };

    const decide = crashPolicy();
    const launch = async (
      id: string,
      name: ServiceName,
      port: number,
      extraEnv: Record<string, string>,
    ): Promise<void> => {
      const { args, cwd, health } = command(name, port);
      const portEnv = name === "web" ? { PORT: String(port) } : { GENERATOR_PORT: String(port) };
      stopped.delete(id);
      const child = spawn(process.execPath, args, {
        cwd,
        env: { ...env, ...options.serviceEnv?.[name], ...portEnv, ...extraEnv },
        // The IPC channel is how a service learns that the launcher died (it sees "disconnect").
        stdio: ["ignore", "pipe", "pipe", "ipc"],
      });
      children.set(id, child);
      if (child.pid !== undefined) {
        record.processes[id] = { pid: child.pid, startTime: startTimeOf(child.pid) ?? 0 };
        writeRunRecord(options.dataDir, record);
      }
      child.once("exit", (code, signal) => {
        if (stopping || stopped.has(id) || children.get(id) !== child) {
          return;
        }
        onUnexpectedExit({ ...options, id, code, signal, decide, log: output.log }, () => {
          if (stopping || stopped.has(id)) {
            return null;
          }
          const restarting = launch(id, name, port, extraEnv);
          return { restarting, child: children.get(id) }; // spawned synchronously by launch()
        });
      });
      const lines: string[] = [];
      // A chunk may end inside a line: the rest waits for the next chunk (or the stream's end).
      const read = (stream: "stdout" | "stderr", from: NodeJS.ReadableStream | null) => {
        let partial = "";
        const emit = (line: string) => {
          if (!line.trim()) {
            return;
          }
          lines.push(line);
          if (lines.length > 200) {
            lines.shift();
          }
          output.service(id, stream, line);
        };
        // Decoded as a stream, so a character split between two chunks stays whole.
        from?.setEncoding("utf8");
        from?.on("data", (chunk: string) => {
          const parts = (partial + chunk).split("\n");
          partial = parts.pop() ?? "";
          parts.forEach(emit);
        });
        from?.on("end", () => emit(partial));
      };
      read("stdout", child.stdout);
      read("stderr", child.stderr);
      await waitHealthy(health, child, id, () => lines.slice(-30).join("\n"));
    };
    const firstPort: Record<ServiceName, number> = { web: options.port, generator: options.generatorPort };
    const startService = (name: ServiceName) => launch(name, name, firstPort[name], {});

    const added: Record<ServiceName, number> = { web: 1, generator: 1 };
    const addService = async (name: ServiceName, opts: { port: number; env?: Record<string, string> }) => {
      const id = `${name}#${++added[name]}`;
      const instance: ServiceInstance = {
        id,
        name,
        port: opts.port,
        url: urlOf(name, opts.port),
        pid: () => children.get(id)?.pid,
        stop: (signal) => stopService(id, signal),
        start: () => launch(id, name, opts.port, opts.env ?? {}),
      };
      await instance.start();
      return instance;
    };

    let pgPort: number | null = pg?.port ?? null;
    const stopDatabase = async () => {
      if (!pg) {
        throw new Error("stopping the database needs the embedded PostgreSQL, running");
      }
      pgPort = pg.port;
      await pg.stop();
      pg = null;
    };
    const startDatabase = async () => {
      if (pg || pgPort === null) {
        throw new Error("starting the database needs the embedded PostgreSQL, stopped");
      }
      pg = await startEmbeddedPostgres({ dataDir: options.dataDir, password: secrets.databasePassword, port: pgPort });
    };
    const restartDatabase = async () => {
      await stopDatabase();
      await startDatabase();
    };

    // The generator first: the web app's dispatch worker starts sending at once.
    if (!options.webOnly) {
      await startService("generator");
    }
    await startService("web");
    return {
      log: output.log,
      webUrl,
      publicUrl: env.WEB_URL ?? webUrl,
      generatorUrl: options.webOnly ? (env.GENERATOR_URL ?? generatorUrl) : generatorUrl,
      databaseUrl,
      dataDir: options.dataDir,
      stopService,
      startService,
      addService,
      pids: () =>
        Object.fromEntries(
          [...children].flatMap(([id, child]) =>
            child.pid !== undefined && child.exitCode === null && child.signalCode === null ? [[id, child.pid]] : [],
          ),
        ),
      restartDatabase,
      stopDatabase,
      startDatabase,
      pid: (name) => children.get(name)?.pid ?? null,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
