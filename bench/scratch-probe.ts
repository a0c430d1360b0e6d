import { readFileSync } from "node:fs";
import pg from "pg";
import { signUp } from "../e2e/support/client";
import { load } from "./lib/load";
import { precreateJobs } from "./lib/webhooks";

const s = JSON.parse(readFileSync("/tmp/stack.json", "utf8"));
const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
const user = await signUp(s.webUrl, "Probe");
const [job] = await precreateJobs(pool, user.id, 1);
const auth = { authorization: `Bearer ${user.token}` };
const cpuRoot = Number(process.env.ROOT);
const what = process.argv[2] ?? "status";
const n = Number(process.argv[3] ?? 3000);
for (let round = 0; round < 2; round++) {
  const noop = await load({
    url: s.webUrl,
    connections: 50,
    amount: n,
    request: { path: "/api/health/live" },
    cpuRoot,
  });
  const status = await load({
    url: s.webUrl,
    connections: 50,
    amount: n,
    request: { path: `/api/images/${job}/status`, headers: auth },
    cpuRoot,
  });
  console.log(
    `noop ${noop.rps}/s cpu ${JSON.stringify(noop.cpuMsPerRequest)} | status ${status.rps}/s cpu ${JSON.stringify(status.cpuMsPerRequest)} errors ${status.errors + status.non2xx} | ratio ${(status.rps / noop.rps).toFixed(2)}`,
  );
}
await pool.end();
