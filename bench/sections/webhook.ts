import { randomUUID } from "node:crypto";
import { signUp } from "../../e2e/support/client";
import type { BenchContext } from "../lib/context";
import { load } from "../lib/load";
import { figure } from "../lib/report";
import { completedPayload, precreateJobs, signedHeaders } from "../lib/webhooks";

const CONNECTIONS = 50;
const SECTION = "1 webhook apply";
const NOOP_PATH = "/api/health/live";
const WEBHOOK_PATH = "/api/webhooks/image-completion";

/**
 * Signed `completed` webhooks (4 images each), each for a distinct
 * pre-created job, under 50 connections; against the no-op Next.js route
 * and a bare node:http server doing the same HMAC check and one INSERT.
 */
export async function benchWebhookApply(ctx: BenchContext): Promise<void> {
  const { stack, floor, sizes } = ctx;
  const secret = stack.secrets.webhookSecret;
  const user = await signUp(stack.webUrl, "Bench Webhooks");
  // Every request a distinct job: autocannon may build a few requests more than it sends.
  const jobs = await precreateJobs(
    stack.pool,
    user.id,
    sizes.webhookJobs + sizes.webhookSequential + sizes.warmup + CONNECTIONS * 4,
  );
  let next = 0;
  const signed = (path: string, jobId: string) => {
    const body = JSON.stringify(completedPayload(jobId, user.id));
    return { method: "POST" as const, path, headers: signedHeaders(secret, body), body };
  };
  const webhookRequest = (path: string) => () => {
    const jobId = jobs[next++];
    if (!jobId) {
      throw new Error(`webhook bench ran out of its ${jobs.length} pre-created jobs: raise webhookJobs`);
    }
    return signed(path, jobId);
  };
  // The floor server stores whatever it verifies: any job id will do.
  const floorRequest = () => signed("/webhook", randomUUID());

  ctx.log("webhook: warm-up");
  await load({ url: stack.webUrl, connections: 10, amount: sizes.warmup, request: { path: NOOP_PATH } });
  await load({ url: floor.url, connections: 10, amount: sizes.warmup, request: floorRequest });
  await load({ url: stack.webUrl, connections: 10, amount: sizes.warmup, request: webhookRequest(WEBHOOK_PATH) });

  ctx.log("webhook: no-op Next.js route");
  const noop = await load({
    url: stack.webUrl,
    connections: CONNECTIONS,
    ...sizes.load,
    request: { path: NOOP_PATH },
  });
  ctx.log("webhook: bare node:http + HMAC + INSERT");
  const floorRun = await load({
    url: floor.url,
    connections: CONNECTIONS,
    ...sizes.load,
    request: floorRequest,
  });
  ctx.log("webhook: signed completed webhooks, each for its own job");
  const appliedFrom = next;
  const apply = await load({
    url: stack.webUrl,
    connections: CONNECTIONS,
    ...sizes.load,
    request: webhookRequest(WEBHOOK_PATH),
    serverTiming: true,
  });
  // One at a time: what an apply costs when nothing waits (at c=50 most server time is waiting for a
  // database connection: Little's law makes it concurrency ÷ throughput).
  const sequentialFrom = next;
  const sequential = await load({
    url: stack.webUrl,
    connections: 1,
    amount: sizes.webhookSequential,
    request: webhookRequest(WEBHOOK_PATH),
    serverTiming: true,
  });
  // The floor again, after: the machine is shared, so the ceiling is the mean of before and after.
  const noopAfter = await load({
    url: stack.webUrl,
    connections: CONNECTIONS,
    ...sizes.load,
    request: { path: NOOP_PATH },
  });

  // Every applied webhook must have completed its job with its 4 files: replays would not count.
  const { rows } = await stack.pool.query<{ completed: string; files: string }>(
    `select count(*) filter (where g.status = 'COMPLETED') as completed,
            (select count(*) from media_files m where m.generation_id = any($1)) as files
     from generations g where g.id = any($1)`,
    // Requests autocannon built but never sent leave their job untouched.
    [jobs.slice(appliedFrom, sequentialFrom)],
  );
  // The jobs no webhook reached would otherwise sit unfinished, and the reconciler would start asking
  // the generator about them in the middle of a later section.
  await stack.pool.query("delete from generations where id = any($1)", [jobs.slice(next)]);
  const noopRps = (noop.rps + noopAfter.rps) / 2;
  ctx.details.webhook = {
    connections: CONNECTIONS,
    noop,
    noopAfter,
    floor: floorRun,
    apply,
    sequential,
    check: { sent: apply.requests, completed: Number(rows[0]?.completed), files: Number(rows[0]?.files) },
    serverTime: "Server-Timing `app;dur` set by the receiver: body read → verify → parse → apply → commit",
  };
  if (apply.errors + apply.non2xx > 0) {
    throw new Error(`webhook apply: ${apply.errors} errors, ${apply.non2xx} non-2xx`);
  }

  const s = SECTION;
  ctx.figures.push(
    figure({
      section: s,
      name: "applies/s (c=50)",
      value: apply.rps,
      unit: "req/s",
      baseline: { name: "no-op Next.js route", value: noopRps },
      target: { text: "≥ 0.5× no-op route", check: (_v, r) => (r ?? 0) >= 0.5 },
    }),
    figure({
      section: s,
      name: "applies/s vs bare node:http HMAC+INSERT",
      value: apply.rps,
      unit: "req/s",
      baseline: { name: "node:http+HMAC+INSERT", value: floorRun.rps },
    }),
    figure({
      section: s,
      name: "server time p50",
      value: apply.server?.p50 ?? null,
      unit: "ms",
      target: { text: "≤ 5 ms", check: (v) => v <= 5 },
      note: "Server-Timing app;dur (inside the route handler)",
    }),
    figure({ section: s, name: "server time p99", value: apply.server?.p99 ?? null, unit: "ms" }),
    figure({
      section: s,
      name: "server time p50, one at a time",
      value: sequential.server?.p50 ?? null,
      unit: "ms",
      baseline: { name: "client latency p50 (c=1)", value: sequential.p50 },
      note: "the apply's own cost: at c=50 the server time is mostly waiting for one of 12 pooled connections",
    }),
    figure({
      section: s,
      name: "client latency p50 (c=50)",
      value: apply.p50,
      unit: "ms",
      baseline: { name: "no-op Next.js route p50", value: noop.p50 },
    }),
    figure({
      section: s,
      name: "client latency p99 (c=50)",
      value: apply.p99,
      unit: "ms",
      baseline: { name: "node:http+HMAC+INSERT p99", value: floorRun.p99 },
    }),
  );
}
