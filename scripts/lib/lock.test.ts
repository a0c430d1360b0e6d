import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "./lock";
import { cleanUp, made, zombie } from "./zombie.testing";

const { children, dirs } = made;
afterEach(cleanUp);

function dataDir(ownerPid: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sorami-lock-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "sorami.pid"), String(ownerPid));
  return dir;
}

describe.runIf(process.platform === "linux")("the DATA_DIR lock", () => {
  it("is refused while its owner runs", () => {
    const owner = spawn("sleep", ["30"]);
    children.push(owner.pid ?? 0);
    expect(() => acquireDataDirLock(dataDir(owner.pid ?? 0))).toThrow(/already running/);
  });

  it("is taken over from an owner killed and left a zombie (kill -9 in a container whose init does not reap)", async () => {
    const pid = await zombie(children);
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
