import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { ensureWebBuilt } from "../../scripts/lib/build";
import { api, signUp, sql, waitFor } from "../support/client";
import { startCluster } from "./cluster";

/**
 * Throughput of the whole pipeline with 1 and then 2 generator processes
 * (each time 2 web processes, one PostgreSQL, one S3 bucket on s3rver, the
 * local image provider with no pretend delay): N image jobs submitted as
 * fast as the client can, timed from the first submit until the last job
 * is COMPLETED in the web app's database. A measurement, not a test.
 *
 *   npx tsx e2e/scale/measure.ts [--jobs 200] [--size 512x512] [--generators 1,2] [--webs 2]
 */
const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    size: { type: "string", default: "512x512" },
    generators: { type: "string", default: "1,2" },
    webs: { type: "string", default: "2" },
    /** Submits in flight at once. */
    clients: { type: "string", default: "16" },
  },
});
const jobs = Number(values.jobs);
const clients = Number(values.clients);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** CPU seconds (user + system) a process has used so far, from /proc; 0 if it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

await ensureWebBuilt();
console.log(`${os.cpus().length} cores; load average before: ${load()}`);
const results: string[] = [];
for (const generators of values.generators.split(",").map(Number)) {
  const cluster = await startCluster({ webs: Number(values.webs), generators, env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  try {
    const user = await signUp(cluster.webUrls[0] ?? "", "Measure");
    const submitOne = async (i: number) => {
      const url = cluster.webUrls[i % cluster.webUrls.length] ?? "";
      const r = await api(url, user.token)(
        "POST",
        "/api/images/generate",
        { prompt: `throughput ${i}`, size: values.size, num_images: 1 },
        { "idempotency-key": randomUUID() },
      );
      if (r.status !== 202) {
        throw new Error(`submit failed: ${r.status} ${r.text}`);
      }
      return r.data.job_id as string;
    };
    const run = async (n: number) => {
      const ids: string[] = [];
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(clients, n) }, async () => {
          while (next < n) {
            ids.push(await submitOne(next++));
          }
        }),
      );
      const submitted = performance.now();
      await waitFor(
        async () => {
          const [row] = await sql<{ n: string }>(
            cluster.stack.databaseUrl,
            "select count(*) as n from generations where id = any($1) and status = 'COMPLETED'",
            [ids],
          );
          return Number(row?.n) === n;
        },
        `${n} jobs`,
        600_000,
      );
      const done = performance.now();
      return { submitS: (submitted - started) / 1000, totalS: (done - started) / 1000 };
    };
    await run(10); // warm-up: JIT, connection pools, sharp
    const pids: Record<string, number> = {
      ...cluster.stack.pids(),
      ...(cluster.s3.pid ? { s3rver: cluster.s3.pid } : {}),
    };
    // This cluster's own PostgreSQL processes (backends and background workers); pools keep their backends.
    const pgPids = async () =>
      (await sql<{ pid: number }>(cluster.stack.databaseUrl, "select pid from pg_stat_activity")).map((r) => r.pid);
    const pgBefore = new Map((await pgPids()).map((pid) => [pid, cpuSeconds(pid)]));
    const cpuBefore = Object.fromEntries(Object.entries(pids).map(([id, pid]) => [id, cpuSeconds(pid)]));
    const loadBefore = load();
    const r = await run(jobs);
    const pgCpu = (await pgPids()).reduce((sum, pid) => sum + cpuSeconds(pid) - (pgBefore.get(pid) ?? 0), 0);
    const cpu = [
      ...Object.entries(pids).map(([id, pid]) => [id, cpuSeconds(pid) - (cpuBefore[id] ?? 0)] as const),
      ["postgres", pgCpu] as const,
    ];
    const cpuTotal = cpu.reduce((sum, [, s]) => sum + s, 0);
    const line = [
      `${generators} generator(s), ${cluster.webUrls.length} web: ${jobs} jobs (${values.size}) in ${r.totalS.toFixed(1)} s = ${(jobs / r.totalS).toFixed(1)} jobs/s (submits took ${r.submitS.toFixed(1)} s); load average ${loadBefore} → ${load()}`,
      `  CPU used by our processes: ${cpu.map(([id, s]) => `${id} ${s.toFixed(1)} s`).join(", ")} (postgres: its processes alive at the end) = ${((cpuTotal / jobs) * 1000).toFixed(0)} ms per job`,
    ].join("\n");
    console.log(line);
    results.push(line);
  } finally {
    await cluster.stop();
  }
}
console.log(`\n${results.join("\n")}`);
