import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * What one run of the launcher started, kept in DATA_DIR beside the lock:
 * the next run uses it to make sure nothing of a run whose launcher died is
 * still going (its services watch the launcher and stop by themselves, but a
 * wedged one would keep its port and its queue locks), and tests use it to
 * find the processes.
 */
export type RunRecord = {
  launcher: number;
  /** By instance id ("web", "generator", "web#2"…): pid and kernel start time (a reused pid is not the same process). */
  processes: Record<string, { pid: number; startTime: number }>;
  /** The embedded PostgreSQL's port, when the launcher started one. */
  postgresPort?: number;
};

const FILE = "sorami-run.json";
/** How long a leftover process gets to stop after SIGTERM before SIGKILL. */
const LEFTOVER_GRACE_MS = 10_000;

/** The kernel's start time of a process (clock ticks after boot), or null once it is gone. */
export function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? null : Number(fields[19]);
  } catch {
    return null;
  }
}

export function readRunRecord(dataDir: string): RunRecord | null {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, FILE), "utf8")) as RunRecord;
  } catch {
    return null;
  }
}

export function writeRunRecord(dataDir: string, record: RunRecord): void {
  writeFileSync(path.join(dataDir, FILE), JSON.stringify(record, null, 2));
}

export function removeRunRecord(dataDir: string): void {
  rmSync(path.join(dataDir, FILE), { force: true });
}

async function stopAndWait(pid: number, alive: () => boolean, signal: NodeJS.Signals): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + LEFTOVER_GRACE_MS;
  while (alive() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (alive()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    while (alive()) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Stops what a previous run left behind (called once the DATA_DIR lock proved
 * its launcher dead): its services, still the same processes, and — when this
 * run starts the embedded PostgreSQL itself (`embeddedPostgres`) — the
 * postmaster of this DATA_DIR's cluster if it still runs. With a database URL
 * given, a cluster in DATA_DIR belongs to whoever gave that URL (the bench
 * starts one there first) and is left alone. Returns what it stopped, for the log.
 */
export async function stopLeftovers(dataDir: string, options: { embeddedPostgres: boolean }): Promise<string[]> {
  const stopped: string[] = [];
  const record = readRunRecord(dataDir);
  for (const [id, p] of Object.entries(record?.processes ?? {})) {
    const same = () => startTimeOf(p.pid) === p.startTime;
    if (same()) {
      await stopAndWait(p.pid, same, "SIGTERM");
      stopped.push(`${id} (pid ${p.pid})`);
    }
  }
  if (!options.embeddedPostgres) {
    return stopped;
  }
  // PostgreSQL's own lock file names its postmaster; it is ours if its command line names our cluster.
  const cluster = path.join(dataDir, "postgres");
  const lockFile = path.join(cluster, "postmaster.pid");
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, "utf8").split("\n")[0]);
  } catch {
    return stopped; // no postmaster lock: nothing runs on this cluster
  }
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {}
  if (pid > 0 && startTimeOf(pid) !== null && cmdline.includes(cluster)) {
    // SIGINT: PostgreSQL's fast shutdown (sessions ended, a clean checkpoint).
    await stopAndWait(pid, () => startTimeOf(pid) !== null, "SIGINT");
    stopped.push(`postgres (pid ${pid})`);
  } else if (process.platform === "linux") {
    // No live postmaster of this cluster holds the lock: its pid is gone, is another
    // program now, or is a zombie (killed with -9 and never reaped, which PostgreSQL's
    // own check, kill(pid, 0), takes for a running postmaster and refuses to start).
    // We hold the DATA_DIR lock, so no one else may be starting this cluster.
    rmSync(lockFile, { force: true });
    stopped.push(`postgres's stale lock (pid ${pid})`);
  }
  return stopped;
}
