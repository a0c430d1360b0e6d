import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB_DIR = path.join(ROOT, "apps/web");
export const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const STAMP = path.join(WEB_DIR, ".next/sorami-build-stamp");

/** Fingerprint of everything the web build reads: names, sizes and modification times. */
function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "node_modules" || entry.name === ".next" || entry.name.startsWith(".")) {
        continue;
      }
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        const s = statSync(full);
        hash.update(`${full}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  walk(WEB_DIR);
  for (const pkg of readdirSync(path.join(ROOT, "packages"))) {
    walk(path.join(ROOT, "packages", pkg, "src"));
  }
  hash.update(readFileSync(path.join(ROOT, "package-lock.json")));
  return hash.digest("hex");
}

export function webBuildIsCurrent(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, "utf8") === sourceFingerprint();
}

const BUILD_LOCK = path.join(WEB_DIR, ".build-lock");
/** A build that held the lock longer than this is assumed dead (a build takes ~15 s here). */
const BUILD_LOCK_STALE_MS = 10 * 60_000;

/** One build at a time per checkout: `next build` refuses to run beside another. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      const age = Date.now() - (statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > BUILD_LOCK_STALE_MS) {
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      } else {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Builds the web app when its sources changed since the last build (or it was never built). */
export async function ensureWebBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (webBuildIsCurrent()) {
    return false;
  }
  return withBuildLock(() => buildIfStale(log));
}

async function buildIfStale(log: (line: string) => void): Promise<boolean> {
  // Another process may have built while this one waited for the lock.
  if (webBuildIsCurrent()) {
    return false;
  }
  log("[build] building the web app (first run or sources changed)…");
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: WEB_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
  writeFileSync(STAMP, sourceFingerprint());
  log(`[build] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
