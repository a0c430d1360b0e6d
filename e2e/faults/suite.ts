import { randomUUID } from "node:crypto";
import { signWebhook } from "@sorami/contracts/signature";
import { api, fetchChecked, secretsOf, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

/**
 * The fault suite: the real stack under a mixed batch of image and video
 * jobs while faults are injected one after another — generator SIGKILL,
 * web app down, PostgreSQL restarted, webhooks duplicated ×10 and out of
 * order, a provider failing transiently, cancellations — then a scoreboard.
 */
export type FaultSuiteOptions = { images: number; videos: number; deadlineMs: number; log?: (line: string) => void };

export type Scoreboard = {
  submitted: number;
  completed: number;
  failedWithReason: number;
  failedWithoutReason: number;
  canceled: number;
  lost: number;
  duplicateFiles: number;
  stuck: number;
  recoveryMs: Record<string, number>;
  transientFailuresRetried: number;
};

type Submitted = { id: string; kind: "image" | "video"; files: number; user: TestUser };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFaultSuite(opts: FaultSuiteOptions): Promise<Scoreboard> {
  const log = opts.log ?? (() => {});
  const stack: Stack = await startStack({
    env: {
      LOCAL_PROVIDER_DELAY_MS: "700",
      LOCAL_PROVIDER_TRANSIENT_FAILURE_RATE: "0.15",
      QUEUE_STALE_SECONDS: "3",
      WEBHOOK_RETRY_SCHEDULE: "0,1,2,3,5,8,13,21",
      RECONCILE_INTERVAL_SECONDS: "2",
      JOB_STALE_SECONDS_IMAGE: "30",
      JOB_STALE_SECONDS_VIDEO: "60",
    },
  });
  try {
    const users = [
      await signUp(stack.webUrl, "F1"),
      await signUp(stack.webUrl, "F2"),
      await signUp(stack.webUrl, "F3"),
    ];
    const count = async (q: string) => Number((await sql<{ n: string }>(stack.databaseUrl, q))[0]?.n ?? 0);

    const jobs: Submitted[] = [];
    const total = opts.images + opts.videos;
    for (let i = 0; i < total; i++) {
      const user = users[i % users.length] as TestUser;
      // Exactly opts.videos videos, spread evenly through the batch.
      const kind =
        Math.floor(((i + 1) * opts.videos) / total) > Math.floor((i * opts.videos) / total) ? "video" : "image";
      const files = kind === "image" ? 1 + (i % 2) : 1;
      const body =
        kind === "image"
          ? { prompt: `fault image ${i}`, num_images: files, size: i % 3 ? "256x256" : "512x512" }
          : { prompt: `fault video ${i}`, duration_seconds: 1 + (i % 2), aspect_ratio: i % 2 ? "9:16" : "16:9" };
      const r = await api(stack.webUrl, user.token)("POST", `/api/${kind}s/generate`, body, {
        "idempotency-key": randomUUID(),
      });
      if (r.status !== 202) {
        throw new Error(`submit failed: ${r.status} ${r.text}`);
      }
      jobs.push({ id: r.data.job_id, kind, files, user });
    }
    log(`submitted ${jobs.length} jobs (${jobs.filter((j) => j.kind === "video").length} videos)`);

    // Cancellations: every seventh job, at once (some may already have finished: 409, and they count as what they became).
    for (const job of jobs.filter((_, i) => i % 7 === 3)) {
      await api(stack.webUrl, job.user.token)("POST", `/api/${job.kind}s/${job.id}/cancel`);
    }

    const recoveryMs: Record<string, number> = {};
    /**
     * A canary job submitted at the fault (retried while the web app cannot
     * answer): recovery is the time from the fault's end until it completes.
     */
    const canary = async (label: string, since: number) => {
      const user = users[0] as TestUser;
      const submit = await waitFor(
        async () => {
          const r = await api(stack.webUrl, user.token)("POST", "/api/images/generate", {
            prompt: `canary: ${label}`,
            size: "256x256",
          });
          return r.status === 202 ? r : null;
        },
        `a canary submit after ${label}`,
        opts.deadlineMs,
      );
      jobs.push({ id: submit.data.job_id, kind: "image", files: 1, user });
      await waitFor(
        async () => {
          const r = await api(stack.webUrl, user.token)("GET", `/api/images/${submit.data.job_id}/status`);
          return r.data?.status === "COMPLETED";
        },
        `the canary after ${label}`,
        opts.deadlineMs,
      );
      recoveryMs[label] = Date.now() - since;
      log(`${label}: recovered in ${recoveryMs[label]} ms`);
    };

    // 1. The generator dies mid-batch (SIGKILL) and comes back a second later.
    await sleep(1500);
    await stack.stopService("generator", "SIGKILL");
    await sleep(1000);
    let t = Date.now();
    await stack.startService("generator");
    await canary("generator SIGKILL, restarted 1 s later → canary completed", t);

    // 2. The web app is down for 3 s (webhooks fail and are retried).
    await stack.stopService("web");
    await sleep(3000);
    t = Date.now();
    await stack.startService("web");
    await canary("web app down 3 s → canary completed", t);

    // 3. PostgreSQL restarts under both services.
    t = Date.now();
    await stack.restartDatabase();
    await canary("PostgreSQL restart → canary completed", t);

    // 4. Completed deliveries replayed ×10 at once, then a stale progress event after them.
    const secret = secretsOf(stack.dataDir).webhookSecret;
    const done = await sql<{ id: string; job_id: string; body: string; url: string }>(
      stack.databaseUrl,
      "select id, job_id, body, url from generator.webhook_deliveries where event = 'completed' and state = 'delivered' limit 5",
    );
    // Only the replayed jobs' files: other jobs are still completing meanwhile.
    const replayedFiles = () =>
      count(`select count(*) n from media_files where generation_id = any('{${done.map((d) => d.job_id).join(",")}}')`);
    const filesBefore = await replayedFiles();
    for (const d of done) {
      const ts = Math.floor(Date.now() / 1000);
      const headers = {
        "content-type": "application/json",
        "webhook-id": d.id,
        "webhook-timestamp": String(ts),
        "webhook-signature": signWebhook(secret, d.id, ts, d.body),
      };
      const target = d.url.replace(/^http:\/\/[^/]+/, stack.webUrl);
      await Promise.all(
        Array.from({ length: 10 }, () => fetchChecked(target, { method: "POST", headers, body: d.body })),
      );
      const late = JSON.stringify({
        job_id: d.job_id,
        status: "generating",
        progress: 60,
        timestamp: new Date().toISOString(),
      });
      const id = `msg_late_${randomUUID().slice(0, 8)}`;
      await fetchChecked(target, {
        method: "POST",
        headers: { ...headers, "webhook-id": id, "webhook-signature": signWebhook(secret, id, ts, late) },
        body: late,
      });
    }
    const replayAddedFiles = (await replayedFiles()) - filesBefore;
    log(`replayed ${done.length} completed deliveries ×10 and a late event each`);

    // Everything must end.
    const terminal = async () =>
      count(
        `select count(*) n from generations where id = any('{${jobs.map((j) => j.id).join(",")}}') and status in ('COMPLETED','FAILED','CANCELED')`,
      );
    await waitFor(async () => (await terminal()) === jobs.length, "every job to end", opts.deadlineMs).catch(() => {});

    const rows = await sql<{ id: string; status: string; error: string | null; files: string }>(
      stack.databaseUrl,
      `select g.id, g.status, g.error, (select count(*) from media_files m where m.generation_id = g.id) as files
       from generations g where g.id = any($1)`,
      [jobs.map((j) => j.id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    let lost = 0;
    let duplicateFiles = replayAddedFiles;
    let stuck = 0;
    for (const job of jobs) {
      const row = byId.get(job.id);
      if (!row) {
        lost++;
        continue;
      }
      const files = Number(row.files);
      if (row.status === "COMPLETED" && files < job.files) {
        lost++;
      }
      if (files > job.files) {
        duplicateFiles += files - job.files;
      }
      if (!["COMPLETED", "FAILED", "CANCELED"].includes(row.status)) {
        stuck++;
      }
    }
    const failed = rows.filter((r) => r.status === "FAILED");
    return {
      submitted: jobs.length,
      completed: rows.filter((r) => r.status === "COMPLETED").length,
      failedWithReason: failed.filter((r) => r.error).length,
      failedWithoutReason: failed.filter((r) => !r.error).length,
      canceled: rows.filter((r) => r.status === "CANCELED").length,
      lost,
      duplicateFiles,
      stuck,
      recoveryMs,
      transientFailuresRetried: await count("select count(*) n from generator.jobs where attempts > 1"),
    };
  } finally {
    await stack.stop();
  }
}

export function printScoreboard(s: Scoreboard): string {
  const lines = [
    "Fault suite scoreboard",
    `  submitted ${s.submitted}  completed ${s.completed}  failed-with-reason ${s.failedWithReason}  canceled ${s.canceled}`,
    `  lost ${s.lost}  duplicate files ${s.duplicateFiles}  stuck ${s.stuck}  failed-without-reason ${s.failedWithoutReason}`,
    `  jobs that needed more than one run (crash or transient provider failure): ${s.transientFailuresRetried}`,
    ...Object.entries(s.recoveryMs).map(([fault, ms]) => `  recovery: ${fault}: ${(ms / 1000).toFixed(1)} s`),
  ];
  return lines.join("\n");
}

/** The scoreboard's guarantees; an empty list means the suite passed. */
export function violations(s: Scoreboard): string[] {
  const out: string[] = [];
  if (s.lost !== 0) {
    out.push(`lost = ${s.lost}`);
  }
  if (s.duplicateFiles !== 0) {
    out.push(`duplicate files = ${s.duplicateFiles}`);
  }
  if (s.stuck !== 0) {
    out.push(`stuck = ${s.stuck}`);
  }
  if (s.failedWithoutReason !== 0) {
    out.push(`failed without a reason = ${s.failedWithoutReason}`);
  }
  if (s.completed + s.failedWithReason + s.canceled !== s.submitted) {
    out.push("completed + failed + canceled ≠ submitted");
  }
  return out;
}
