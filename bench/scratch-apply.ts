import { randomUUID } from "node:crypto";
import { webhookPayloadSchema } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { applyWebhookEvent } from "../apps/web/server/webhooks/apply";
import { cpuByRole } from "./lib/procs";
import { completedPayload } from "./lib/webhooks";

const N = Number(process.argv[2] ?? 2000);
const C = Number(process.argv[3] ?? 12);
const t = await startTestDatabase();
const u = randomUUID();
await t.db.insert(schema.users).values({ id: u, name: "U", email: `${u}@x.test` });
const { rows } = await t.pool.query<{ id: string }>(
  `insert into generations (id, kind, author_id, prompt, params, status, progress) select gen_random_uuid()::text, 'image', $1, 'p', '{}', 'GENERATING', 60 from generate_series(1, $2::int) returning id`,
  [u, N + 200],
);
const ids = rows.map((r) => r.id);
let next = 0;
const one = async () => {
  const id = ids[next++] ?? "";
  const payload = webhookPayloadSchema.parse(JSON.parse(JSON.stringify(completedPayload(id, u))));
  await applyWebhookEvent(t.db, "image", `evt-${id}`, payload);
};
for (let i = 0; i < 200; i++) await one();
const cpu0 = process.cpuUsage();
const pg0 = cpuByRole(process.pid).postgres ?? 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: C }, async () => {
    while (next < N + 200) await one();
  }),
);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const pg = (cpuByRole(process.pid).postgres ?? 0) - pg0;
console.log(
  `${N} applies c=${C}: ${((N / wall) * 1000).toFixed(0)}/s, node cpu ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms/apply, pg cpu ${(pg / N).toFixed(3)} ms/apply`,
);
await t.stop();
