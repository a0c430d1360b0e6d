import { randomUUID } from "node:crypto";
import { schema } from "@sorami/db";
import { getGenerationForOwner } from "@sorami/db/queries/generations";
import { startTestDatabase } from "@sorami/db/testing";
import { and, eq, sql } from "drizzle-orm";
import { cpuByRole } from "./lib/procs";

const t = await startTestDatabase();
const u = randomUUID();
await t.db.insert(schema.users).values({ id: u, name: "U", email: `${u}@x.test` });
const id = randomUUID();
await t.db.insert(schema.generations).values({ id, kind: "image", authorId: u, prompt: "p", params: { a: 1 } });
const g = schema.generations;
const prepared = t.db
  .select()
  .from(g)
  .where(and(eq(g.id, sql.placeholder("id")), eq(g.authorId, sql.placeholder("owner"))))
  .prepare("gen_for_owner");
const raw = async () =>
  (await t.pool.query("select * from generations where id = $1 and author_id = $2", [id, u])).rows[0];
const variants: Record<string, () => Promise<unknown>> = {
  drizzle: () => getGenerationForOwner(t.db, u, id),
  prepared: async () => (await prepared.execute({ id, owner: u }))[0],
  raw,
};
const N = Number(process.argv[2] ?? 3000);
for (let round = 0; round < 2; round++) {
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 200; i++) await fn();
    const c0 = process.cpuUsage();
    const p0 = cpuByRole(process.pid).postgres ?? 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < N / 8; i++) await fn();
      }),
    );
    const c = process.cpuUsage(c0);
    const p = (cpuByRole(process.pid).postgres ?? 0) - p0;
    console.log(
      `${name}: node ${((c.user + c.system) / 1000 / N).toFixed(3)} ms, pg ${(p / N).toFixed(3)} ms per query`,
    );
  }
}
await t.stop();
