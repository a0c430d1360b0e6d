import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestDatabase } from "@sorami/db/testing";

const t = await startTestDatabase();
process.env.DATABASE_URL = t.url;
process.env.DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "scratch-"));
process.env.AUTH_RATE_LIMIT = "off";
const { auth } = await import("../apps/web/server/auth");
const { getSessionUser } = await import("../apps/web/server/session");
const { getJobStatus } = await import("../apps/web/server/jobs/read");
const { db } = await import("../apps/web/server/db");
const res = await auth().api.signUpEmail({ body: { name: "U", email: "u@x.test", password: "correct horse battery" } });
const token = (res as { token: string }).token;
const headers = new Headers({ authorization: `Bearer ${token}` });
const N = Number(process.argv[2] ?? 2000);
let queries = 0;
const pool = (await import("../apps/web/server/db")).pool();
const orig = pool.query.bind(pool);
// count round trips through the pool's clients
pool.on("acquire", (client: any) => {
  if (!client.__counted) {
    client.__counted = true;
    const q = client.query.bind(client);
    client.query = (...a: any[]) => {
      queries++;
      return q(...a);
    };
  }
});
const user = await getSessionUser(headers);
const [g] = (
  await t.pool.query(
    `insert into generations (id, kind, author_id, prompt, params) values (gen_random_uuid()::text, 'image', $1, 'p', '{}') returning id`,
    [user!.id],
  )
).rows;
for (let i = 0; i < 200; i++) await getSessionUser(headers);
queries = 0;
let c0 = process.cpuUsage();
let t0 = performance.now();
for (let i = 0; i < N; i++) await getSessionUser(headers);
let cpu = process.cpuUsage(c0);
console.log(
  `getSession: ${((performance.now() - t0) / N).toFixed(3)} ms wall, ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms cpu, ${(queries / N).toFixed(2)} queries`,
);
queries = 0;
c0 = process.cpuUsage();
t0 = performance.now();
for (let i = 0; i < N; i++) await getJobStatus(db(), user!, "image", g.id);
cpu = process.cpuUsage(c0);
console.log(
  `status read: ${((performance.now() - t0) / N).toFixed(3)} ms wall, ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms cpu, ${(queries / N).toFixed(2)} queries`,
);
await pool.end();
await t.stop();
