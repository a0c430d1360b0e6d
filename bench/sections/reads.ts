import { PAGE_SIZE_DEFAULT } from "@sorami/contracts";
import type pg from "pg";
import { signUp } from "../../e2e/support/client";
import type { BenchContext } from "../lib/context";
import { load } from "../lib/load";
import { figure } from "../lib/report";
import { precreateJobs } from "../lib/webhooks";

const SECTION = "4 reads";
const CONNECTIONS = 50;
/** The page whose latency is measured besides the first: deep pages must cost what the first does. */
export const DEEP_PAGE = 100;

/**
 * `rows` finished generations for one user, one file each, one in ten a
 * video, a second apart, in two statements; then VACUUM ANALYZE and a
 * checkpoint.
 */
async function seedGallery(pool: pg.Pool, userId: string, rows: number): Promise<void> {
  await pool.query(
    `insert into generations (id, kind, author_id, organization_id, prompt, params, model, status, progress, message,
                              processing_time_ms, created_at, updated_at, completed_at)
     select gen_random_uuid()::text, case when i % 10 = 0 then 'video' else 'image' end, $1,
            (select organization_id from members where user_id = $1 limit 1),
            -- Prompts of a few words from a small vocabulary (what the search section looks for), each numbered.
            (array['a lighthouse', 'a harbour', 'a meadow', 'a neon city', 'a black cat', 'a mountain lake',
                   'a desert', 'a forest'])[1 + i % 8] || ' at ' ||
            (array['dusk', 'dawn', 'night', 'noon'])[1 + (i / 8) % 4] || ', generation number ' || i,
            '{"num_images":1,"size":"512x512","format":"PNG","style":"photorealistic","quality":"standard"}'::jsonb,
            'local-image-v1', 'COMPLETED', 100, '1 image(s) generated', 400,
            date_trunc('milliseconds', now()) - make_interval(secs => i), now(), now()
     from generate_series(1, $2::int) as i`,
    [userId, rows],
  );
  await pool.query(
    `insert into media_files (id, generation_id, index, storage_key, size_bytes, format, width, height, description)
     select gen_random_uuid()::text, g.id, 0, 'images/' || g.id || '/image_1.png', 50000, 'PNG', 512, 512, g.prompt
     from generations g where g.author_id = $1`,
    [userId],
  );
  // What autovacuum and the checkpointer would do soon after such a load, done now so that neither
  // runs in the middle of the measurement.
  await pool.query("vacuum (analyze) generations");
  await pool.query("vacuum (analyze) media_files");
  await pool.query("checkpoint");
}

/** The gallery's two queries as the web app runs them, explained with real timings. */
async function explainGallery(pool: pg.Pool, userId: string, cursor: { createdAt: string; id: string } | null) {
  const page = await pool.query<{ "QUERY PLAN": unknown }>(
    `explain (analyze, format json) select * from generations
     where author_id = $1 and kind = 'image' ${cursor ? "and (created_at, id) < ($3::timestamptz, $4)" : ""}
     order by created_at desc, id desc limit $2`,
    cursor ? [userId, PAGE_SIZE_DEFAULT + 1, cursor.createdAt, cursor.id] : [userId, PAGE_SIZE_DEFAULT + 1],
  );
  type Explained = { Plan: Record<string, unknown>; "Execution Time": number }[];
  const plan = ((page.rows[0]?.["QUERY PLAN"] ?? []) as Explained)[0];
  const nodes: string[] = [];
  const walk = (n: Record<string, unknown>) => {
    nodes.push(`${n["Node Type"]}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}`);
    for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) {
      walk(c);
    }
  };
  if (plan) {
    walk(plan.Plan);
  }
  return { executionMs: plan?.["Execution Time"] ?? null, plan: nodes.join(" → ") };
}

/** Status reads under load and gallery pages at depth, each beside its floor. */
export async function benchReads(ctx: BenchContext): Promise<void> {
  const { stack, floor, sizes } = ctx;
  let user = ctx.shared.user;
  let jobId = ctx.shared.jobId;
  if (!user || !jobId) {
    user = await signUp(stack.webUrl, "Bench Reads");
    jobId = (await precreateJobs(stack.pool, user.id, 1))[0];
  }
  const auth = { authorization: `Bearer ${user.token}` };
  const statusPath = `/api/images/${jobId}/status`;

  ctx.log("reads: status endpoint");
  // Warm-up (JIT, pools, the prepared statements on each connection).
  await load({
    url: stack.webUrl,
    connections: 10,
    amount: sizes.warmup,
    request: { path: statusPath, headers: auth },
  });
  const noop = await load({
    url: stack.webUrl,
    connections: CONNECTIONS,
    ...sizes.load,
    request: { path: "/api/health/live" },
  });
  const status = await load({
    url: stack.webUrl,
    connections: CONNECTIONS,
    ...sizes.load,
    request: { path: statusPath, headers: auth },
  });
  const bare = await load({
    url: floor.url,
    connections: CONNECTIONS,
    ...sizes.load,
    request: { path: "/noop" },
  });
  if (status.errors + status.non2xx > 0) {
    throw new Error(`status: ${status.errors} errors, ${status.non2xx} non-2xx`);
  }

  ctx.log(`reads: seeding ${sizes.galleryRows} generations for one user`);
  const galleryUser = await signUp(stack.webUrl, "Bench Gallery");
  const seedStarted = Date.now();
  await seedGallery(stack.pool, galleryUser.id, sizes.galleryRows);
  const seedMs = Date.now() - seedStarted;
  const gAuth = { authorization: `Bearer ${galleryUser.token}` };
  // Walk to the deep page the way a client does: following next_cursor.
  let cursor: string | null = null;
  for (let page = 1; page < DEEP_PAGE; page++) {
    const res = await fetch(`${stack.webUrl}/api/images/user${cursor ? `?cursor=${cursor}` : ""}`, { headers: gAuth });
    const body = (await res.json()) as { next_cursor: string | null; generations: unknown[] };
    if (!res.ok || !body.next_cursor) {
      throw new Error(`gallery walk stopped at page ${page} (${res.status})`);
    }
    cursor = body.next_cursor;
  }
  const deepCursor = JSON.parse(Buffer.from(cursor ?? "", "base64url").toString("utf8")) as [string, string];
  const one = { connections: 1, amount: sizes.galleryRequests };
  ctx.log("reads: gallery first page and page 100 (one connection)");
  // Warmed up like every other endpoint: the first requests compile the route's code and plan its statements.
  const warm = { connections: 1, amount: sizes.warmup };
  await load({ url: stack.webUrl, ...warm, request: { path: "/api/images/user", headers: gAuth } });
  await load({ url: stack.webUrl, ...warm, request: { path: `/api/images/user?cursor=${cursor}`, headers: gAuth } });
  const noopOne = await load({ url: stack.webUrl, ...one, request: { path: "/api/health/live" } });
  const first = await load({ url: stack.webUrl, ...one, request: { path: "/api/images/user", headers: gAuth } });
  const deep = await load({
    url: stack.webUrl,
    ...one,
    request: { path: `/api/images/user?cursor=${cursor}`, headers: gAuth },
  });
  for (const [name, r] of [
    ["first", first],
    ["deep", deep],
  ] as const) {
    if (r.errors + r.non2xx > 0) {
      throw new Error(`gallery ${name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    }
  }
  ctx.log("reads: search first pages (one connection)");
  const searches = {
    // One prompt in eight has the word: the page fills from the newest rows.
    common: "/api/library?q=lighthouse",
    // Two terms, each a part of a word, found together in a handful of rows.
    rare: `/api/library?q=${encodeURIComponent("harb 4242")}`,
  };
  for (const path of Object.values(searches)) {
    await load({ url: stack.webUrl, ...warm, request: { path, headers: gAuth } });
  }
  const searchCommon = await load({ url: stack.webUrl, ...one, request: { path: searches.common, headers: gAuth } });
  const searchRare = await load({ url: stack.webUrl, ...one, request: { path: searches.rare, headers: gAuth } });
  for (const [name, r] of [
    ["common", searchCommon],
    ["rare", searchRare],
  ] as const) {
    if (r.errors + r.non2xx > 0) {
      throw new Error(`search ${name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    }
  }

  ctx.details.reads = {
    status: { connections: CONNECTIONS, noop, status, bare },
    gallery: {
      rows: sizes.galleryRows,
      seedMs,
      pageSize: PAGE_SIZE_DEFAULT,
      connections: 1,
      noop: noopOne,
      first,
      [`page${DEEP_PAGE}`]: deep,
      search: { paths: searches, common: searchCommon, rare: searchRare },
      explain: {
        first: await explainGallery(stack.pool, galleryUser.id, null),
        [`page${DEEP_PAGE}`]: await explainGallery(stack.pool, galleryUser.id, {
          createdAt: deepCursor[0],
          id: deepCursor[1],
        }),
      },
    },
  };

  const s = SECTION;
  ctx.figures.push(
    figure({
      section: s,
      name: "status requests/s (c=50)",
      value: status.rps,
      unit: "req/s",
      baseline: { name: "no-op Next.js route", value: noop.rps },
      target: { text: "≥ 0.6× no-op route", check: (_v, r) => (r ?? 0) >= 0.6 },
    }),
    figure({
      section: s,
      name: "status requests/s vs bare node:http",
      value: status.rps,
      unit: "req/s",
      baseline: { name: "bare node:http", value: bare.rps },
    }),
    figure({
      section: s,
      name: `gallery first page p99 (${sizes.galleryRows} rows, c=1)`,
      value: first.p99,
      unit: "ms",
      baseline: { name: "no-op Next.js route p99", value: noopOne.p99 },
      target: { text: "≤ 20 ms", check: (v) => v <= 20 },
    }),
    figure({
      section: s,
      name: `gallery page ${DEEP_PAGE} p99 (${sizes.galleryRows} rows, c=1)`,
      value: deep.p99,
      unit: "ms",
      baseline: { name: "no-op Next.js route p99", value: noopOne.p99 },
      target: { text: "≤ 20 ms", check: (v) => v <= 20 },
    }),
    figure({
      section: s,
      name: `search first page p99, a common word (${sizes.galleryRows} rows, c=1)`,
      value: searchCommon.p99,
      unit: "ms",
      baseline: { name: "no-op Next.js route p99", value: noopOne.p99 },
      target: { text: "≤ 50 ms", check: (v) => v <= 50 },
    }),
    figure({
      section: s,
      name: `search first page p99, a rare pair of terms (${sizes.galleryRows} rows, c=1)`,
      value: searchRare.p99,
      unit: "ms",
      baseline: { name: "no-op Next.js route p99", value: noopOne.p99 },
      target: { text: "≤ 50 ms", check: (v) => v <= 50 },
    }),
    // The body of the distribution beside its tail: at c=1 the p99 is the tenth-worst of 1000 requests.
    figure({
      section: s,
      name: `gallery first page p50 (${sizes.galleryRows} rows, c=1)`,
      value: first.p50,
      unit: "ms",
      baseline: { name: "no-op Next.js route p50", value: noopOne.p50 },
    }),
    figure({
      section: s,
      name: `gallery page ${DEEP_PAGE} p50 (${sizes.galleryRows} rows, c=1)`,
      value: deep.p50,
      unit: "ms",
      baseline: { name: "no-op Next.js route p50", value: noopOne.p50 },
    }),
  );
}
