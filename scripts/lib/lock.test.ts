import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "./lock";

const dirs: string[] = [];
const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  for (const dir of dirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function dataDir(ownerPid: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sorami-lock-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "sorami.pid"), String(ownerPid));
  return dir;
}

/** A shell that starts a child which exits at once, then becomes `sleep` (which never reaps it): the child stays a zombie. */
async function zombie(): Promise<number> {
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

describe.runIf(process.platform === "linux")("the DATA_DIR lock", () => {
  it("is refused while its owner runs", () => {
    const owner = spawn("sleep", ["30"]);
    children.push(owner.pid ?? 0);
    expect(() => acquireDataDirLock(dataDir(owner.pid ?? 0))).toThrow(/already running/);
  });

  it("is taken over from an owner killed and left a zombie (kill -9 in a container whose init does not reap)", async () => {
    const pid = await zombie();
    const dir = dataDir(pid);
    const release = acquireDataDirLock(dir);
    expect(readFileSync(path.join(dir, "sorami.pid"), "utf8")).toBe(String(process.pid));
    release();
  });

  it("is taken over from an owner that is gone", async () => {
    const gone = spawn("true");
    await new Promise((r) => gone.once("exit", r));
    const release = acquireDataDirLock(dataDir(gone.pid ?? 0));
    release();
  });
});
