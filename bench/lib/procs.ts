import { readdirSync, readFileSync } from "node:fs";

/** What a process of the stack is, from its command line. */
export type ProcessRole = "web" | "generator" | "postgres" | "launcher" | "floor" | "other";

export type ProcessInfo = { pid: number; role: ProcessRole; rssMb: number; pssMb: number };

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return null;
  }
}

/** /proc/<pid>/stat fields from the state on (the command name may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  const stat = readProc(pid, "stat");
  return stat ? stat.slice(stat.lastIndexOf(")") + 2).split(" ") : null;
}

function parentOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

export type CpuSnapshot = Map<number, { role: ProcessRole; ms: number }>;

/**
 * CPU time (ms, user + system) used so far by each process under `root`.
 * Per-request CPU cost is a steadier figure than latency on a shared
 * machine: other processes slow a request down but do not add to it.
 */
export function cpuSnapshot(root: number): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const pid of descendants(root)) {
    const fields = statFields(pid);
    if (!fields) {
      continue;
    }
    // utime and stime are fields 14 and 15 of the full line; here indexes 11 and 12.
    out.set(pid, { role: roleOf(pid), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS });
  }
  return out;
}

/**
 * CPU ms each kind of process used between two snapshots. A process that
 * ended in between (a pooled database connection closed) is left out: its
 * last CPU time is gone with it.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Partial<Record<ProcessRole, number>> {
  const out: Partial<Record<ProcessRole, number>> = {};
  for (const [pid, { role, ms }] of after) {
    out[role] = (out[role] ?? 0) + ms - (before.get(pid)?.ms ?? 0);
  }
  return out;
}

function roleOf(pid: number): ProcessRole {
  const cmd = (readProc(pid, "cmdline") ?? "").split("\0").join(" ");
  if (/postgres/.test(cmd) && !/node/.test(cmd)) {
    return "postgres";
  }
  if (/bench\/baselines/.test(cmd)) {
    return "floor";
  }
  if (/next(\/dist\/bin\/next| start)|next-server/.test(cmd)) {
    return "web";
  }
  if (/apps\/generator/.test(cmd)) {
    return "generator";
  }
  if (/scripts\/start\.ts|tsx/.test(cmd)) {
    return "launcher";
  }
  return "other";
}

/** Resident and proportional set sizes (MB); PSS splits shared pages (PostgreSQL's shared buffers) fairly. */
function memoryOf(pid: number): { rssMb: number; pssMb: number } | null {
  const rollup = readProc(pid, "smaps_rollup");
  const status = readProc(pid, "status");
  if (!status) {
    return null;
  }
  const kb = (text: string | null, key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text ?? "")?.[1] ?? 0);
  const rss = kb(status, "VmRSS");
  const pss = rollup ? kb(rollup, "Pss") : rss;
  return { rssMb: rss / 1024, pssMb: pss / 1024 };
}

/** Every live descendant of `root` (not root itself). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    const pid = Number(name);
    const parent = parentOf(pid);
    if (parent === null) {
      continue;
    }
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** Memory of each process under `root` (and of root itself when `includeRoot`). */
export function snapshot(root: number, includeRoot = false): ProcessInfo[] {
  const pids = includeRoot ? [root, ...descendants(root)] : descendants(root);
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    const mem = memoryOf(pid);
    if (mem) {
      out.push({ pid, role: pid === root && includeRoot ? "launcher" : roleOf(pid), ...mem });
    }
  }
  return out;
}

export type RoleMemory = Partial<Record<ProcessRole, { rssMb: number; pssMb: number; processes: number }>>;

/** Sums per role: PostgreSQL is many processes (postmaster, one backend per connection, background workers). */
export function byRole(infos: ProcessInfo[]): RoleMemory {
  const out: RoleMemory = {};
  for (const p of infos) {
    const cur = out[p.role] ?? { rssMb: 0, pssMb: 0, processes: 0 };
    cur.rssMb += p.rssMb;
    cur.pssMb += p.pssMb;
    cur.processes += 1;
    out[p.role] = cur;
  }
  for (const v of Object.values(out)) {
    v.rssMb = Math.round(v.rssMb);
    v.pssMb = Math.round(v.pssMb);
  }
  return out;
}

/** Samples memory every `everyMs` until stopped; keeps each role's peak. */
export function sampleMemory(root: number, everyMs = 250) {
  const peak: RoleMemory = {};
  const tick = () => {
    for (const [role, mem] of Object.entries(byRole(snapshot(root).filter((p) => p.role !== "floor")))) {
      const cur = peak[role as ProcessRole];
      if (!cur || mem.rssMb > cur.rssMb) {
        peak[role as ProcessRole] = { ...mem };
      }
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop(): RoleMemory {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}
