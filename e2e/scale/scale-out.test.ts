import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type EventClient, isJobEvent, openEvents } from "../support/events";
import { type Cluster, startCluster } from "./cluster";

/**
 * Two web processes and two generator processes on one PostgreSQL and one
 * S3 bucket. A client spreads its requests over both web processes; the
 * database says whether every job ran once and every webhook was applied
 * once, before and after one process of each kind is killed mid-load.
 */
let cluster: Cluster;
let users: TestUser[];

beforeAll(async () => {
  cluster = await startCluster({
    webs: 2,
    generators: 2,
    env: {
      // Long enough to catch jobs mid-run when a generator is killed.
      LOCAL_PROVIDER_DELAY_MS: "1000",
      GENERATOR_CONCURRENCY: "3",
      // A killed process's queue jobs run elsewhere after this; well above a stall on this loaded machine.
      QUEUE_STALE_SECONDS: "8",
      WEBHOOK_RETRY_SCHEDULE: "0,1,1,2,3,5,8,13",
    },
  });
  users = [];
  for (const name of ["Scale One", "Scale Two", "Scale Three"]) {
    users.push(await signUp(cluster.webUrls[0] ?? "", name));
  }
});
afterAll(async () => cluster?.stop());

type Job = { id: string; kind: "image" | "video"; files: number; user: TestUser; via: string };

/**
 * A client spreading requests over the web processes: request i goes to
 * process i mod n; a process that cannot be reached is skipped for the next
 * (the same Idempotency-Key makes that retry safe).
 */
async function spread<M extends "GET" | "POST", P extends string>(
  i: number,
  token: string,
  method: M,
  route: P,
  body?: unknown,
  headers = {},
) {
  const urls = cluster.webUrls;
  let last: unknown;
  for (let t = 0; t < urls.length; t++) {
    const url = urls[(i + t) % urls.length] ?? "";
    try {
      return Object.assign(await api(url, token)(method, route, body, headers), { via: url });
    } catch (error) {
      last = error; // connection refused or reset: that process is gone
    }
  }
  throw new Error(`no web process answered ${method} ${route}: ${String(last)}`);
}

let submitted = 0;
async function submit(): Promise<Job> {
  const i = submitted++;
  const user = users[i % users.length] as TestUser;
  const kind = i % 10 === 9 ? "video" : "image";
  const files = kind === "image" ? 1 + (i % 2) : 1;
  const body =
    kind === "image"
      ? { prompt: `scale ${i}`, num_images: files, size: "256x256" }
      : { prompt: `scale video ${i}`, duration_seconds: 1, aspect_ratio: "1:1" };
  const r = await spread(i, user.token, "POST", `/api/${kind}s/generate`, body, { "idempotency-key": randomUUID() });
  if (r.status !== 202) {
    throw new Error(`submit ${i} failed: ${r.status} ${r.text}`);
  }
  return { id: r.data.job_id, kind, files, user, via: r.via };
}

const ids = (jobs: Job[]) => jobs.map((j) => j.id);
const db = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  sql<T>(cluster.stack.databaseUrl, text, params);

/**
 * Until every job has ended and every webhook delivery has settled (a
 * delivery the killed generator held goes out once its lock is freed, after
 * the job itself may already show COMPLETED).
 */
async function allFinished(jobs: Job[]): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await db<{ ended: string; settled: string }>(
        `select (select count(*) from generations where id = any($1)
                  and status in ('COMPLETED', 'FAILED', 'CANCELED')) as ended,
                (select count(*) from generator.webhook_deliveries where job_id = any($1)
                  and state <> 'pending') as settled`,
        [ids(jobs)],
      );
      return Number(row?.ended) === jobs.length && Number(row?.settled) === 4 * jobs.length;
    },
    `${jobs.length} jobs to finish and their webhooks to settle`,
    240_000,
  ).catch((error) => {
    throw new Error(`${error}\n${cluster.logs()}`);
  });
}

/** Everything the database says about a batch, checked the same way in both phases. */
async function expectEachJobOnceAndEachWebhookOnce(
  jobs: Job[],
  opts: { killedMidDelivery: boolean } = { killedMidDelivery: false },
) {
  const web = await db<{ id: string; status: string }>("select id, status from generations where id = any($1)", [
    ids(jobs),
  ]);
  expect(web.length).toBe(jobs.length);
  expect(web.filter((g) => g.status !== "COMPLETED")).toEqual([]);
  const gen = await db<{ id: string; status: string; attempts: number }>(
    "select id, status, attempts from generator.jobs where id = any($1)",
    [ids(jobs)],
  );
  expect(gen.length).toBe(jobs.length);
  expect(gen.filter((g) => g.status !== "COMPLETED")).toEqual([]);

  // Four status events per job (initializing, generating, saving, completed), each announced once. Each is
  // delivered and applied once, except a progress event already stale when its turn came (superseded, never sent).
  const deliveries = await db<{ id: string; job_id: string; event: string; state: string; url: string }>(
    "select id, job_id, event, state, url from generator.webhook_deliveries where job_id = any($1)",
    [ids(jobs)],
  );
  expect(deliveries.length).toBe(4 * jobs.length);
  expect(deliveries.filter((d) => d.event === "completed" && d.state !== "delivered")).toEqual([]);
  expect(deliveries.filter((d) => d.state !== "delivered" && d.state !== "superseded")).toEqual([]);
  const sent = deliveries.filter((d) => d.state === "delivered");
  const applied = await db<{ id: string; job_id: string }>(
    "select id, job_id from webhook_events where job_id = any($1)",
    [ids(jobs)],
  );
  const appliedIds = new Set(applied.map((e) => e.id));
  expect(sent.filter((d) => !appliedIds.has(d.id))).toEqual([]);
  // Applied but not marked delivered: only in a run where processes were killed, a delivery on the wire
  // when its generator or its receiving web process died, which a newer event of its job had replaced by
  // the time it ran again (superseded, so never sent twice).
  const sentIds = new Set(sent.map((d) => d.id));
  const state = new Map(deliveries.map((d) => [d.id, d.state]));
  const unmarked = applied.filter((e) => !sentIds.has(e.id));
  expect(unmarked.filter((e) => !opts.killedMidDelivery || state.get(e.id) !== "superseded")).toEqual([]);

  // One file row per file, one object per file (plus video posters), one completion notification per job.
  const files = await db<{ generation_id: string; storage_key: string; poster_key: string | null }>(
    "select generation_id, storage_key, poster_key from media_files where generation_id = any($1)",
    [ids(jobs)],
  );
  expect(files.length).toBe(jobs.reduce((n, j) => n + j.files, 0));
  const notes = await db<{ job: string; n: string }>(
    "select metadata->>'job_id' as job, count(*) as n from notifications where metadata->>'job_id' = any($1) group by 1",
    [ids(jobs)],
  );
  expect(notes.length).toBe(jobs.length);
  expect(notes.filter((n) => n.n !== "1")).toEqual([]);
  return { gen, deliveries, sent };
}

/** Which generator ran each job: the entrance its webhooks were sent through. */
function runBy(deliveries: { job_id: string; url: string }[]): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>();
  for (const d of deliveries) {
    const g = cluster.generators.find((x) => d.url.startsWith(cluster.toWeb.urls[x.entrance] ?? "-"));
    if (!by.has(d.job_id)) {
      by.set(d.job_id, new Set());
    }
    by.get(d.job_id)?.add(g?.label ?? "?");
  }
  return by;
}

/** The web process that answered 2xx to each webhook id (the balancer's record). */
function appliedBy(): Map<string, string> {
  const by = new Map<string, string>();
  for (const hop of cluster.toWeb.hops) {
    if (hop.webhookId && typeof hop.outcome === "number" && hop.outcome < 300) {
      by.set(hop.webhookId, hop.upstream);
    }
  }
  return by;
}
function appliedOn(webhookIds: Set<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [id, upstream] of appliedBy()) {
    if (webhookIds.has(id)) {
      counts[upstream] = (counts[upstream] ?? 0) + 1;
    }
  }
  return counts;
}

/** Every job event a user's streams carried for a job, in order. */
function statusesSeen(streams: EventClient[], jobId: string): string[] {
  return streams.flatMap((s) => s.messages.filter((m) => isJobEvent(m, jobId)).map((m) => JSON.parse(m.data).status));
}

describe("scale-out: 2 web and 2 generator processes on one database and one bucket", () => {
  it("runs every job once and applies every webhook once, spread over every process", async () => {
    // The first user follows their jobs live on web process A only.
    const watcher = users[0] as TestUser;
    const live = await openEvents(cluster.webUrls[0] ?? "", watcher.token);
    await live.waitFor((m) => m.event === "snapshot", "the snapshot on web A");
    const jobs: Job[] = [];
    for (let i = 0; i < 30; i++) {
      jobs.push(await submit());
    }
    expect(new Set(jobs.map((j) => j.via)).size).toBe(2); // the client used both web processes
    await allFinished(jobs);

    const { gen, deliveries, sent } = await expectEachJobOnceAndEachWebhookOnce(jobs);
    // Nothing was killed: every job ran exactly once.
    expect(gen.filter((g) => g.attempts !== 1)).toEqual([]);
    // Both generators ran jobs, each job on one of them only.
    const by = runBy(deliveries);
    expect([...by.values()].filter((s) => s.size !== 1)).toEqual([]);
    const perGenerator = [...by.values()].map((s) => [...s][0]);
    expect(new Set(perGenerator)).toEqual(new Set(["G1", "G2"]));
    // Webhooks landed on both web processes, and each was applied by one 2xx.
    const landed = appliedOn(new Set(sent.map((d) => d.id)));
    expect(Object.keys(landed).sort()).toEqual(["A", "B"]);
    expect((landed.A ?? 0) + (landed.B ?? 0)).toBe(sent.length);

    // Live events cross processes: each of the watcher's jobs whose completion webhook web B applied
    // reached the watcher's stream on web A, with its notification.
    const applied = appliedBy();
    const completedOnB = deliveries.filter(
      (d) =>
        d.event === "completed" &&
        applied.get(d.id) === "B" &&
        jobs.some((j) => j.id === d.job_id && j.user === watcher),
    );
    expect(completedOnB.length).toBeGreaterThan(0);
    for (const d of completedOnB) {
      await live.waitFor((m) => isJobEvent(m, d.job_id, "COMPLETED"), `COMPLETED of ${d.job_id} on web A`);
      await live.waitFor(
        (m) => m.event === "notification" && JSON.parse(m.data).metadata?.job_id === d.job_id,
        `the notification of ${d.job_id} on web A`,
      );
    }
    // And nobody else's jobs.
    const others = new Set(jobs.filter((j) => j.user !== watcher).map((j) => j.id));
    expect(live.messages.filter((m) => m.event === "job" && others.has(JSON.parse(m.data).job_id))).toEqual([]);
    live.close();

    // Each user reads the same results from either web process.
    const job = jobs[0] as Job;
    const [a, b] = await Promise.all(
      cluster.webUrls.map((url) => api(url, job.user.token)("GET", `/api/${job.kind}s/${job.id}/result`)),
    );
    expect(a?.status).toBe(200);
    expect(b?.json).toEqual(a?.json);
  });

  it("loses nothing when one web and one generator process are killed mid-load", async () => {
    const watcher = users[0] as TestUser;
    const onA = await openEvents(cluster.webUrls[0] ?? "", watcher.token);
    await onA.waitFor((m) => m.event === "snapshot", "the snapshot on web A");
    const jobs: Job[] = [];
    for (let i = 0; i < 15; i++) {
      jobs.push(await submit());
    }

    // Wait until the first generator is in the middle of running jobs, note them, and kill it and web A.
    const [g1, g2] = cluster.generators;
    const [webA] = cluster.webs;
    if (!g1 || !g2 || !webA) {
      throw new Error("cluster incomplete");
    }
    // Jobs the first generator is in the middle of (its initializing webhook went out through its entrance).
    const runningOnG1 = async () =>
      (
        await db<{ job_id: string }>(
          `select d.job_id from generator.webhook_deliveries d join generator.jobs j on j.id = d.job_id
            where d.event = 'initializing' and d.url like $1 and j.status in ('INITIALIZING', 'GENERATING', 'SAVING')
              and d.job_id = any($2)`,
          [`${cluster.toWeb.urls[g1.entrance]}%`, ids(jobs)],
        )
      ).map((r) => r.job_id);
    await waitFor(async () => (await runningOnG1()).length > 0, "the first generator to be running a job", 120_000);
    await Promise.all([g1.kill(), webA.kill()]);
    // Read after the kill: those jobs stay locked by the dead process until its pool goes stale.
    const victims = await runningOnG1();
    expect(victims.length).toBeGreaterThan(0);
    // The watcher's stream on A ends with A; the client reconnects to B from the last event it saw.
    await onA.ended;
    const onB = await openEvents(cluster.webUrls[1] ?? "", watcher.token, onA.lastId());
    expect(onB.status).toBe(200);

    // The client keeps submitting; requests meant for web A go to B.
    for (let i = 0; i < 15; i++) {
      jobs.push(await submit());
    }
    await allFinished(jobs);

    const { gen, deliveries } = await expectEachJobOnceAndEachWebhookOnce(jobs, { killedMidDelivery: true });
    // Exactly the jobs the killed generator was running ran again, once, on the other one.
    const reRun = gen.filter((g) => g.attempts > 1);
    expect(reRun.map((g) => g.id).sort()).toEqual([...victims].sort());
    expect(reRun.filter((g) => g.attempts !== 2)).toEqual([]);
    const by = runBy(deliveries);
    for (const id of reRun.map((g) => g.id)) {
      expect(by.get(id)).toEqual(new Set(["G1", "G2"]));
    }
    // After the kill everything went through the surviving processes.
    const late = jobs.slice(15);
    expect(new Set(late.map((j) => j.via))).toEqual(new Set([cluster.webUrls[1]]));
    for (const j of late) {
      expect(by.get(j.id)).toEqual(new Set(["G2"]));
    }

    // The watcher heard every one of their jobs complete, on A before the kill or on B after it.
    for (const j of jobs.filter((x) => x.user === watcher)) {
      await waitFor(async () => statusesSeen([onA, onB], j.id).includes("COMPLETED"), `COMPLETED of ${j.id} live`);
    }
    onB.close();
  });
});
