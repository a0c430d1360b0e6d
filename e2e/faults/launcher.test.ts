import { afterEach, describe, expect, it } from "vitest";
import { SUPERVISOR_CRASH_LIMIT } from "../../scripts/lib/supervise";
import { api, fetchChecked, fetchGenerator, signUp, waitFor } from "../support/client";
import { cleanUp, type NpmStart, npmStart } from "../support/launcher";
import { alive, processTree } from "./proc";

/**
 * `npm start` as a supervisor: a service that dies on its own is restarted
 * (and reported meanwhile), one that keeps dying is given up on loudly, and
 * a SIGTERM to npm itself stops the whole tree in order.
 */
let run: NpmStart | undefined;
afterEach(async () => {
  await cleanUp(run);
  run = undefined;
});

const health = async (webUrl: string) => {
  const res = await fetchChecked(`${webUrl}/api/health`);
  return { status: res.status, body: (await res.json()) as { status: string; generator: string } };
};

describe("npm start supervises its services", () => {
  it("restarts a generator killed with SIGKILL; the web app reports it degraded meanwhile; jobs complete", async () => {
    run = await npmStart({ env: { LOCAL_PROVIDER_DELAY_MS: "1500" } });
    const r = run;
    const user = await signUp(r.webUrl, "Supervised");
    const call = api(r.webUrl, user.token);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await call("POST", "/api/images/generate", { prompt: `supervised ${i}`, size: "256x256" })).data.job_id,
      );
    }
    const before = r.record()?.processes.generator?.pid ?? 0;
    expect(alive(before)).toBe(true);
    const killed = Date.now();
    process.kill(before, "SIGKILL");
    // While it is away the web app still serves (200) and says what is missing.
    const degraded = await waitFor(
      async () => {
        const h = await health(r.webUrl);
        return h.body.generator !== "ok" ? h : null;
      },
      "the web app to report the generator away",
      30_000,
    );
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: "degraded", generator: "unreachable" });
    await waitFor(
      async () => (await health(r.webUrl)).body.status === "ok",
      "the generator back and the web app healthy",
      60_000,
    );
    const after = r.record()?.processes.generator?.pid ?? 0;
    console.log(`[supervision] generator killed → restarted and healthy after ${(Date.now() - killed) / 1000} s`);
    expect(after).not.toBe(before);
    expect(alive(after)).toBe(true);
    expect(r.output()).toMatch(
      /"service":"launcher".*"msg":"generator exited unexpectedly \(signal SIGKILL\); restarting it/,
    );
    for (const id of ids) {
      await waitFor(
        async () => (await call("GET", `/api/images/${id}/status`)).data?.status === "COMPLETED",
        `job ${id} to complete after the generator came back`,
        120_000,
      );
    }
  }, 400_000);

  it("gives up loudly on a service that keeps crashing: stops everything and exits non-zero", async () => {
    run = await npmStart();
    const r = run;
    const launcher = r.record()?.launcher ?? 0;
    for (let crash = 1; crash <= SUPERVISOR_CRASH_LIMIT; crash++) {
      const pid = await waitFor(
        async () => {
          const p = r.record()?.processes.generator?.pid;
          return p && alive(p) && (await fetchGenerator(`http://127.0.0.1:${r.generatorPort}/health`).then((x) => x.ok))
            ? p
            : null;
        },
        `the generator up before crash ${crash}`,
        120_000,
      );
      const tree = processTree(launcher);
      process.kill(pid, "SIGKILL");
      if (crash < SUPERVISOR_CRASH_LIMIT) {
        await waitFor(
          async () => r.record()?.processes.generator?.pid !== pid,
          `restart after crash ${crash}`,
          120_000,
        );
      } else {
        expect(await r.exited).toBe(1);
        await waitFor(async () => tree.every((p) => !alive(p)), "every process of the tree to be gone", 60_000);
      }
    }
    expect(r.output()).toMatch(/GIVING UP on it/);
  }, 600_000);

  it("a SIGTERM to the npm process stops the whole tree, the launcher, both services and PostgreSQL", async () => {
    run = await npmStart();
    const r = run;
    const tree = r.tree();
    // npm, its shell, the launcher, web, generator, PostgreSQL and its backends.
    expect(tree.length).toBeGreaterThanOrEqual(6);
    process.kill(r.npm.pid ?? 0, "SIGTERM");
    await waitFor(async () => tree.every((p) => !alive(p)), "every process of npm start's tree to be gone", 90_000);
    expect(r.output()).toMatch(/stopping Sorami/);
  }, 300_000);

  it("a SIGTERM to one service stops the whole tree too", async () => {
    run = await npmStart();
    const r = run;
    const tree = r.tree();
    process.kill(r.record()?.processes.generator?.pid ?? 0, "SIGTERM");
    await waitFor(async () => tree.every((p) => !alive(p)), "every process of npm start's tree to be gone", 90_000);
    expect(r.output()).toMatch(/generator stopped by itself/);
    expect(await r.exited).toBe(0);
  }, 300_000);

  it("kill -9 of the launcher alone: its services stop by themselves, and the next start clears what is left", async () => {
    run = await npmStart();
    const first = run;
    const record = first.record();
    const services = [record?.processes.web?.pid ?? 0, record?.processes.generator?.pid ?? 0];
    process.kill(record?.launcher ?? 0, "SIGKILL");
    // Their IPC channel to the launcher closed: each stops in order by itself.
    await waitFor(async () => services.every((p) => !alive(p)), "the orphaned services to stop", 60_000);
    run = await npmStart({ dataDir: first.dataDir, port: first.port, generatorPort: first.generatorPort });
    expect(run.output()).toMatch(/stopped postgres \(pid \d+\), left running by a previous run/);
    const user = await signUp(run.webUrl, "After orphan");
    expect(user.token).toBeTruthy();
  }, 400_000);
});
