import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stopLeftovers } from "./run-record";
import { cleanUp, made, zombie } from "./zombie.testing";

const { children, dirs } = made;
afterEach(cleanUp);

/** A DATA_DIR whose cluster's postmaster.pid names `pid`. */
function clusterLockedBy(pid: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "sorami-leftovers-"));
  dirs.push(dir);
  mkdirSync(path.join(dir, "postgres"));
  writeFileSync(path.join(dir, "postgres", "postmaster.pid"), `${pid}\n${path.join(dir, "postgres")}\n`);
  return dir;
}

const lockOf = (dir: string) => path.join(dir, "postgres", "postmaster.pid");

describe.runIf(process.platform === "linux")("a previous run's PostgreSQL lock", () => {
  it("is removed when its postmaster was killed and left a zombie (PostgreSQL itself would refuse to start)", async () => {
    const dir = clusterLockedBy(await zombie(children));
    await stopLeftovers(dir, { embeddedPostgres: true });
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  it("is removed when its pid is now another program", async () => {
    const other = spawn("sleep", ["30"]);
    children.push(other.pid ?? 0);
    const dir = clusterLockedBy(other.pid ?? 0);
    await stopLeftovers(dir, { embeddedPostgres: true });
    expect(existsSync(lockOf(dir))).toBe(false);
    expect(other.exitCode).toBeNull(); // and that program is left alone
  });

  it("is left alone when the database is not the launcher's own (a DATABASE_URL was given)", async () => {
    const dir = clusterLockedBy(await zombie(children));
    await stopLeftovers(dir, { embeddedPostgres: false });
    expect(existsSync(lockOf(dir))).toBe(true);
  });
});
