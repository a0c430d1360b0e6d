import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../scripts/lib/build";
import type { BenchContext } from "../lib/context";
import { byRole, type RoleMemory, snapshot } from "../lib/procs";
import { figure } from "../lib/report";
import { BENCH_ENV, freePort } from "../lib/stack";
import { round, sleep } from "../lib/stats";

const SECTION = "5 footprint";
const TSX_CLI = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
const STACK_ROLES = ["web", "generator", "postgres"] as const;

const total = (m: RoleMemory, key: "rssMb" | "pssMb", roles: readonly string[] = STACK_ROLES) =>
  roles.reduce((sum, role) => sum + (m[role as keyof RoleMemory]?.[key] ?? 0), 0);

/** Memory of the bench's stack: each process kind idle and at its peak under the load sections. */
export function stackMemoryFigures(ctx: BenchContext, idle: RoleMemory, peak: RoleMemory): void {
  ctx.details.memory = { idle, peakUnderLoad: peak };
  for (const role of STACK_ROLES) {
    ctx.figures.push(
      figure({
        section: SECTION,
        name: `${role} RSS idle → peak under load`,
        value: peak[role]?.rssMb ?? null,
        unit: "MB",
        baseline: { name: "idle", value: idle[role]?.rssMb ?? 0 },
        note: role === "postgres" ? "all PostgreSQL processes, RSS summed (shared buffers counted in each)" : undefined,
      }),
    );
  }
}

type Started = { child: ChildProcess; ms: number; webUrl: string };

/** The command of package.json's `start` script, to run without npm in between (npm adds ~50 MB of its own). */
function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const [cmd, ...args] = pkg.scripts.start.split(/\s+/);
  if (cmd === "node") {
    return [process.execPath, ...args];
  }
  if (cmd === "tsx") {
    return [process.execPath, TSX_CLI, ...args];
  }
  throw new Error(`cannot run the start script "${pkg.scripts.start}" directly`);
}

/** What `npm start` runs, until GET /api/health answers 200. */
async function startAndTime(dataDir: string): Promise<Started> {
  const port = await freePort();
  const generatorPort = await freePort();
  const [exe = process.execPath, ...args] = startCommand();
  const t0 = performance.now();
  const child = spawn(exe, args, {
    cwd: ROOT,
    env: { ...process.env, ...BENCH_ENV, DATA_DIR: dataDir, PORT: String(port), GENERATOR_PORT: String(generatorPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const webUrl = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`npm start exited (${child.exitCode}):\n${output.slice(-3000)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`npm start not healthy in 120 s:\n${output.slice(-3000)}`);
    }
    const ok = await fetch(`${webUrl}/api/health`, { signal: AbortSignal.timeout(1000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) {
      const ms = performance.now() - t0;
      // The launcher handles SIGTERM only once it has seen the services healthy itself and said so.
      while (!output.includes("Sorami is up")) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`npm start:\n${output.slice(-3000)}`);
        }
        await sleep(50);
      }
      return { child, ms, webUrl };
    }
    await sleep(50);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Cold start (fresh DATA_DIR: secrets, initdb, migrations) and warm start
 * (same DATA_DIR again) of `npm start` to a healthy /api/health. The web
 * build is already made, so neither includes it. The warm stack's whole
 * process tree, launcher included, gives the idle footprint a user sees.
 */
export async function benchStartTimes(ctx: BenchContext): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-bench-start-"));
  chmodSync(dataDir, 0o755);
  try {
    ctx.log("footprint: cold npm start");
    const cold = await startAndTime(dataDir);
    await stop(cold.child);
    ctx.log("footprint: warm npm start");
    const warm = await startAndTime(dataDir);
    await sleep(ctx.sizes.settleMs);
    const idle = byRole(snapshot(warm.child.pid ?? 0, true));
    await stop(warm.child);
    // Every process of the tree counts, the launcher and tsx's esbuild service included.
    const rss = total(idle, "rssMb", Object.keys(idle));
    const pss = total(idle, "pssMb", Object.keys(idle));
    ctx.details.start = {
      coldMs: round(cold.ms, 0),
      warmMs: round(warm.ms, 0),
      webBuild: "excluded (already built; the start checks it is current)",
      idleMemory: idle,
      idleTotal: { rssMb: rss, pssMb: pss },
    };
    ctx.figures.push(
      figure({
        section: SECTION,
        name: "whole stack idle (npm start tree)",
        value: rss,
        unit: "MB RSS",
        target: { text: "≤ 600 MB", check: (v) => v <= 600 },
        note: `RSS summed over every process; PSS (shared pages counted once): ${pss} MB`,
      }),
      figure({ section: SECTION, name: "cold npm start → healthy", value: round(cold.ms / 1000, 2), unit: "s" }),
      figure({ section: SECTION, name: "warm npm start → healthy", value: round(warm.ms / 1000, 2), unit: "s" }),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
