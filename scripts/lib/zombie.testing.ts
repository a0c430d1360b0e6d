import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/**
 * A shell that starts a child, then becomes `sleep` (which never reaps it): once the
 * child exits it stays a zombie. The child lives half a second so that it exits after
 * the exec — a shell may reap a child that ends before.
 */
export async function zombie(children: number[]): Promise<number> {
  const sh = spawn("sh", ["-c", "sleep 0.5 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(sh.pid ?? 0);
  const pid = await new Promise<number>((resolve) => sh.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  for (let i = 0; i < 500; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) {
      return pid;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the child did not become a zombie");
}

/** What a test made: processes to kill and directories to remove after each test (`afterEach(cleanUp)`). */
export const made = { children: [] as number[], dirs: [] as string[] };

export function cleanUp(): void {
  for (const pid of made.children.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  for (const dir of made.dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
}
