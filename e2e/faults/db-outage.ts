import net from "node:net";
import { api, fetchChecked, signUp, waitFor } from "../support/client";
import { startStack } from "../support/stack";
import { measureCpu } from "./proc";

/**
 * PostgreSQL goes away under a running system for a minute: every process
 * must wait for it quietly (reconnects back off, up to a cap) rather than
 * spin, and the system must work again once it is back.
 */
export type OutageReport = {
  downSeconds: number;
  /** Share of one core each service's process tree used while the database was down (after the first seconds). */
  cpu: Record<string, number>;
  /** Connections the services opened to the database's port while it was down, per second, all services together. */
  connectsPerSecond: number;
  /** Database back → a job submitted then has completed. */
  recoveryMs: number;
};

/**
 * While it is down, the database's port is held by a server that accepts each
 * connection and drops it at once, counting them: what a database going away
 * (or still starting) looks like to a client, and a measure of how hard the
 * services knock.
 */
async function holdPort(port: number): Promise<{ count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = net.createServer((socket) => {
    n++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return { count: () => n, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * A generous bound on an outcome, not a timing: a process waiting for its
 * database with backoff uses about 1 % of a core here; one retrying in a
 * tight loop was found at ~70 %.
 */
export const IDLE_CPU_SHARE = 0.1;
/**
 * All services together, while the database is down. With backoff each
 * process tries about once per 10 s; without it, ~6 connections a second per
 * process (every queue worker's poll, every LISTEN retry).
 */
export const OUTAGE_CONNECTS_PER_SECOND_MAX = 1;

/** The first seconds of an outage are left out of the measure: in-flight work fails and the first retries run. */
export const OUTAGE_SETTLE_MS = 5000;

export async function runDatabaseOutage(opts: { downMs: number; log?: (line: string) => void }): Promise<OutageReport> {
  const log = opts.log ?? (() => {});
  const stack = await startStack({
    // The reconciler's tick every 2 s, so its path is exercised many times during the outage.
    env: { LOCAL_PROVIDER_DELAY_MS: "300", RECONCILE_INTERVAL_SECONDS: "2" },
  });
  const events = new AbortController();
  try {
    const user = await signUp(stack.webUrl, "Outage");
    const call = api(stack.webUrl, user.token);
    const completes = async (label: string, deadlineMs: number) => {
      const submit = await waitFor(
        async () => {
          const r = await call("POST", "/api/images/generate", { prompt: label, size: "256x256" });
          return r.status === 202 ? r : null;
        },
        `a submit (${label})`,
        deadlineMs,
      );
      await waitFor(
        async () => (await call("GET", `/api/images/${submit.data.job_id}/status`)).data?.status === "COMPLETED",
        `a job to complete (${label})`,
        deadlineMs,
      );
    };
    await completes("before the outage", 60_000);
    // A live-events stream stays open through the outage, as a signed-in page would keep it.
    const stream = await fetchChecked(`${stack.webUrl}/api/events`, {
      headers: { authorization: `Bearer ${user.token}` },
      signal: events.signal,
    });
    void stream.body?.pipeTo(new WritableStream()).catch(() => {});

    const pids = stack.pids();
    const roots = { web: pids.web ?? 0, generator: pids.generator ?? 0 };
    await stack.stopDatabase();
    const down = Date.now();
    log(`PostgreSQL stopped; measuring the services' CPU for ${(opts.downMs - OUTAGE_SETTLE_MS) / 1000} s`);
    const port = await holdPort(Number(new URL(stack.databaseUrl).port));
    await new Promise((r) => setTimeout(r, OUTAGE_SETTLE_MS));
    const counted = port.count();
    const measureMs = opts.downMs - OUTAGE_SETTLE_MS;
    const cpu = await measureCpu(roots, measureMs);
    const connectsPerSecond = (port.count() - counted) / (measureMs / 1000);
    await port.close();
    log(
      `while down: CPU ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`)
        .join(", ")}; ${connectsPerSecond.toFixed(2)} connections/s to the database port`,
    );
    await stack.startDatabase();
    const back = Date.now();
    await completes("after the outage", 120_000);
    const recoveryMs = Date.now() - back;
    log(`PostgreSQL back; a new job completed ${recoveryMs} ms later`);
    return { downSeconds: (back - down) / 1000, cpu, connectsPerSecond, recoveryMs };
  } finally {
    events.abort();
    await stack.stop();
  }
}
