import { randomUUID } from "node:crypto";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";

const t = await startTestDatabase();
const u = randomUUID();
await t.db.insert(schema.users).values({ id: u, name: "U", email: `${u}@x.test` });
await t.pool.query(
  `insert into generations (id, kind, author_id, prompt, params, status, progress, created_at)
 select gen_random_uuid()::text, case when i % 10 = 0 then 'video' else 'image' end, $1, 'p', '{}', 'COMPLETED', 100, now() - make_interval(secs => i) from generate_series(1,100000) i`,
  [u],
);
await t.pool.query("analyze generations");
const {
  rows: [c],
} = await t.pool.query(
  `select created_at, id from generations where author_id=$1 and kind='image' order by created_at desc, id desc offset 1979 limit 1`,
  [u],
);
const q = async (label: string) => {
  for (const [name, extra, params] of [
    ["first", "", [u]],
    ["page100", "and (created_at, id) < ($2::timestamptz, $3)", [u, c.created_at, c.id]],
  ] as const) {
    const { rows } = await t.pool.query(
      `explain (analyze, format text) select * from generations where author_id = $1 and kind = 'image' ${extra} order by created_at desc, id desc limit 21`,
      params as unknown[],
    );
    console.log(`--- ${label} ${name}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
};
await q("NULLS FIRST (new)");
await t.pool.query(`drop index generations_author_created_idx; drop index generations_author_kind_created_idx;
 create index generations_author_created_idx on generations (author_id, created_at desc nulls last, id desc nulls last);
 create index generations_author_kind_created_idx on generations (author_id, kind, created_at desc nulls last, id desc nulls last); analyze generations`);
await q("NULLS LAST (old)");
await t.stop();
