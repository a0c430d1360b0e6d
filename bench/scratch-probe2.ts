import { readFileSync } from "node:fs";
import pg from "pg";
import { signUp } from "../e2e/support/client";
import { load } from "./lib/load";
import { precreateJobs } from "./lib/webhooks";

const s = JSON.parse(readFileSync("/tmp/stack.json", "utf8"));
const pool = new pg.Pool({ connectionString: s.databaseUrl, max: 2 });
const user = await signUp(s.webUrl, "Probe");
const [job] = await precreateJobs(pool, user.id, 1);
const r = await load({
  url: s.webUrl,
  connections: 50,
  amount: Number(process.argv[2] ?? 6000),
  request: { path: `/api/images/${job}/status`, headers: { authorization: `Bearer ${user.token}` } },
  cpuRoot: Number(process.env.ROOT),
});
console.log(r.rps, r.cpuMsPerRequest);
await pool.end();
