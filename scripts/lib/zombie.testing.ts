import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** A shell that starts a child which exits at once, then becomes `sleep` (which never reaps it): the child stays a zombie. */
export async function zombie(children: number[]): Promise<number> {
  const sh = spawn("sh", ["-c", "true & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(sh.pid ?? 0);
  const pid = await new Promise<number>((resolve) => sh.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  for (let i = 0; i < 100; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) {
      return pid;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the child did not become a zombie");
}
