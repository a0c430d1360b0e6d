import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../scripts/lib/build";
import { type RunRecord, readRunRecord } from "../../scripts/lib/run-record";
import { alive, processTree } from "../faults/proc";
import { secretsOf } from "./client";
import { freePort } from "./stack";

/**
 * `npm start` itself, as an operator runs it: its own process tree (npm → sh
 * → launcher → services and PostgreSQL), configured by environment only. For
 * what only the real command shows: the configuration it passes on, its
 * supervision, its signals, a crash of the whole tree.
 */
export type NpmStart = {
  npm: ChildProcess;
  dataDir: string;
  port: number;
  generatorPort: number;
  /** The web app on this machine. */
  webUrl: string;
  output: () => string;
  /** What the launcher recorded: its pid and its services'. */
  record: () => RunRecord | null;
  databaseUrl: () => string;
  /** npm's whole tree, now. */
  tree: () => number[];
  /** Resolves with npm's exit code. */
  exited: Promise<number | null>;
};

export const NPM_START_READY_TIMEOUT_MS = 240_000;

/** Same defaults as the in-process stack (startStack): limits other suites would trip over are out of reach. */
const TEST_ENV = {
  LOCAL_PROVIDER_DELAY_MS: "300",
  AUTH_RATE_LIMIT: "off",
  USER_SUBMISSIONS_PER_MINUTE: "1000000",
  USER_MAX_ACTIVE_JOBS: "1000000",
  ENVIRONMENT: "test",
};

export async function npmStart(
  opts: {
    dataDir?: string;
    port?: number;
    generatorPort?: number;
    env?: Record<string, string>;
    /** After `npm start --`, e.g. `--web-only`. */
    args?: string[];
  } = {},
): Promise<NpmStart> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "sorami-npm-start-"));
  chmodSync(dataDir, 0o755);
  const port = opts.port ?? (await freePort());
  const generatorPort = opts.generatorPort ?? (await freePort());
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST.*|TEST|JEST_WORKER_ID|npm_.*)$/.test(k)),
  );
  const npm = spawn("npm", ["start", ...(opts.args?.length ? ["--", ...opts.args] : [])], {
    cwd: ROOT,
    env: {
      ...inherited,
      ...TEST_ENV,
      PORT: String(port),
      GENERATOR_PORT: String(generatorPort),
      DATA_DIR: dataDir,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim()) {
        lines.push(line);
        if (process.env.SORAMI_TEST_LOGS) {
          console.log(`${new Date().toISOString().slice(11, 23)} [npm start] ${line}`);
        }
      }
    }
  };
  npm.stdout?.on("data", onData);
  npm.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => npm.once("exit", (code) => resolve(code)));
  const output = () => lines.join("\n");
  const deadline = Date.now() + NPM_START_READY_TIMEOUT_MS;
  while (!lines.some((l) => l.includes("Sorami is up at"))) {
    if (npm.exitCode !== null || Date.now() > deadline) {
      const launcher = readRunRecord(dataDir)?.launcher;
      await killTree(npm.pid ?? 0, [...processTree(npm.pid ?? 0), ...(launcher ? processTree(launcher) : [])]);
      throw new Error(`npm start did not come up:\n${lines.slice(-40).join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    npm,
    dataDir,
    port,
    generatorPort,
    webUrl: `http://localhost:${port}`,
    output,
    record: () => readRunRecord(dataDir),
    databaseUrl: () => databaseUrlOf(dataDir, readRunRecord(dataDir)?.postgresPort ?? 0),
    tree: () => processTree(npm.pid ?? 0),
    exited,
  };
}

/** The embedded PostgreSQL of a run, from its DATA_DIR's secrets and the port it recorded. */
export function databaseUrlOf(dataDir: string, pgPort: number): string {
  const password = encodeURIComponent(secretsOf(dataDir).databasePassword);
  return `postgres://postgres:${password}@127.0.0.1:${pgPort}/sorami`;
}

/** SIGKILL to every process of a tree at once (what a crash of the machine does to it); resolves once all are gone. */
export async function killTree(root: number, pids = processTree(root)): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  while (pids.some(alive)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return pids;
}

/** Stops what is left of a run (whatever a test did to it) and removes its DATA_DIR. */
export async function cleanUp(run: NpmStart | undefined): Promise<void> {
  if (!run) {
    return;
  }
  const launcher = run.record()?.launcher;
  await killTree(run.npm.pid ?? 0, [...run.tree(), ...(launcher ? processTree(launcher) : [])]);
  rmSync(run.dataDir, { recursive: true, force: true });
}
