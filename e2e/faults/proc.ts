import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * What the kernel says about processes (Linux /proc): CPU time, parents,
 * whole trees. The fault cases judge outcomes from here, not from what the
 * processes say about themselves.
 */

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

type Stat = { pid: number; ppid: number; state: string; ticks: number; startTime: number };

/** /proc/<pid>/stat, or null once the process is gone. */
export function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (i: number) => Number(fields[i - 3]);
  return {
    pid,
    state: fields[0] ?? "?",
    ppid: n(4),
    // utime + stime (fields 14, 15): this process's own CPU, children not included.
    ticks: n(14) + n(15),
    startTime: n(22),
  };
}

/** Alive and not a zombie. */
export function alive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

function allStats(): Stat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const s = stat(Number(name));
      return s ? [s] : [];
    });
}

/** The process and every descendant it has now. */
export function processTree(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const s of allStats()) {
    byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s.pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of byParent.get(pid) ?? []) {
      walk(child);
    }
  };
  if (stat(root)) {
    walk(root);
  }
  return out;
}

/** The command line of a process ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** CPU seconds a set of processes used so far (those that are gone count 0). */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.ticks ?? 0), 0) / CLOCK_TICKS;
}

/**
 * The share of one core each named process tree used over `ms`: CPU time
 * read from /proc before and after, divided by the wall time.
 */
export async function measureCpu(roots: Record<string, number>, ms: number): Promise<Record<string, number>> {
  const trees = Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, processTree(pid)]));
  const before = Object.fromEntries(Object.entries(trees).map(([name, pids]) => [name, cpuSeconds(pids)]));
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return Object.fromEntries(
    Object.entries(trees).map(([name, pids]) => [name, (cpuSeconds(pids) - (before[name] ?? 0)) / seconds]),
  );
}
