import type pg from "pg";
import { now } from "./sse";
import { sleep } from "./stats";

/** The image job the pipeline bench submits: the smallest, cheapest picture, so the pipeline is what is timed. */
export const BENCH_IMAGE_REQUEST = {
  num_images: 1,
  size: "256x256",
  format: "JPEG",
  style: "photorealistic",
  quality: "standard",
} as const;

/** `submittedAt`: wall clock (ms, sub-ms resolution) when the request was sent. */
export type Submitted = { id: string; submittedAt: number; acceptedMs: number };

/** Submits one image job through the web API; times the 202. */
export async function submitImage(webUrl: string, token: string, prompt: string): Promise<Submitted> {
  const submittedAt = now();
  const t0 = performance.now();
  const res = await fetch(`${webUrl}/api/images/generate`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ ...BENCH_IMAGE_REQUEST, prompt }),
  });
  const text = await res.text();
  if (res.status !== 202) {
    throw new Error(`submit answered ${res.status}: ${text.slice(0, 300)}`);
  }
  const body = JSON.parse(text) as { job_id: string };
  return { id: body.job_id, submittedAt, acceptedMs: performance.now() - t0 };
}

export type JobTimes = {
  id: string;
  status: string;
  /** Epoch ms, web app's clock (same machine). */
  completedAt: number;
  generatorCreatedAt: number | null;
  generatorCompletedAt: number | null;
  renderMs: number | null;
};

/**
 * Waits until every job is finished and returns each one's timestamps, read
 * from the rows (written by the web app and the generator on this machine's
 * clock): completed_at is when the `completed` webhook was applied.
 */
export async function waitFinished(pool: pg.Pool, ids: string[], timeoutMs: number): Promise<JobTimes[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `select count(*) as n from generations where id = any($1) and status in ('COMPLETED','FAILED','CANCELED')`,
      [ids],
    );
    if (Number(rows[0]?.n) >= ids.length) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${rows[0]?.n} of ${ids.length} jobs finished in time`);
    }
    await sleep(100);
  }
  const { rows } = await pool.query<{
    id: string;
    status: string;
    completed_at: Date;
    g_created: Date | null;
    g_completed: Date | null;
    render_ms: string | null;
  }>(
    `select g.id, g.status, g.completed_at, j.created_at as g_created, j.completed_at as g_completed,
            g.provider_metadata->>'render_ms' as render_ms
     from generations g left join generator.jobs j on j.id = g.id where g.id = any($1)`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    completedAt: r.completed_at.getTime(),
    generatorCreatedAt: r.g_created?.getTime() ?? null,
    generatorCompletedAt: r.g_completed?.getTime() ?? null,
    renderMs: r.render_ms === null ? null : Number(r.render_ms),
  }));
}

/**
 * Waits until both queues have nothing due (every dispatch, generation and
 * webhook delivery done), so one section's backlog does not load the next.
 * Scheduled jobs (the reconciler's next run) do not count.
 */
export async function quiesce(pool: pg.Pool, timeoutMs = 180_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `select (select count(*) from web_worker._private_jobs where run_at <= now())
            + (select count(*) from generator_worker._private_jobs where run_at <= now()) as n`,
    );
    if (Number(rows[0]?.n) === 0) {
      return Date.now() - started;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`queues still busy after ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
}
