import { signUp } from "../../e2e/support/client";
import type { BenchContext } from "../lib/context";
import { type JobTimes, type Submitted, submitImage, waitFinished } from "../lib/jobs";
import { type CpuSnapshot, cpuBetween, cpuSnapshot, type ProcessRole } from "../lib/procs";
import { queueBaseline } from "../lib/queue-baseline";
import { figure } from "../lib/report";
import { openLiveStream } from "../lib/sse";
import { round, sleep, summarize } from "../lib/stats";

const SECTION = "2 pipeline";
/** The fixed arrival rate. */
export const ARRIVAL_RATE_PER_S = 50;
/** Submitters in the as-fast-as-possible run. */
const BURST_SUBMITTERS = 50;

/** `seen`: when the owner's SSE stream delivered each job's COMPLETED event. */
type Run = { submitted: Submitted[]; times: JobTimes[]; seen: Map<string, number> };

/** CPU ms per job of each process kind since `before`. */
function cpuPerJob(before: CpuSnapshot, jobs: number) {
  const used = cpuBetween(before, cpuSnapshot(process.pid));
  const out: Partial<Record<ProcessRole, number>> = {};
  for (const role of ["web", "generator", "postgres"] as const) {
    out[role] = round((used[role] ?? 0) / Math.max(1, jobs), 2);
  }
  return out;
}

function analyse(run: Run) {
  const byId = new Map(run.times.map((t) => [t.id, t]));
  const latency: number[] = [];
  const pushed: number[] = [];
  const dispatch: number[] = [];
  const generatorRun: number[] = [];
  const delivery: number[] = [];
  const render: number[] = [];
  const overhead: number[] = [];
  let failed = 0;
  for (const s of run.submitted) {
    const t = byId.get(s.id);
    const seenAt = run.seen.get(s.id);
    if (t?.status !== "COMPLETED" || seenAt === undefined) {
      failed++;
      continue;
    }
    const total = seenAt - s.submittedAt;
    latency.push(total);
    pushed.push(seenAt - t.completedAt);
    if (t.renderMs !== null) {
      render.push(t.renderMs);
      overhead.push(total - t.renderMs);
    }
    if (t.generatorCreatedAt !== null) {
      dispatch.push(t.generatorCreatedAt - s.submittedAt);
    }
    if (t.generatorCreatedAt !== null && t.generatorCompletedAt !== null) {
      generatorRun.push(t.generatorCompletedAt - t.generatorCreatedAt);
    }
    if (t.generatorCompletedAt !== null) {
      delivery.push(t.completedAt - t.generatorCompletedAt);
    }
  }
  const firstSubmit = Math.min(...run.submitted.map((s) => s.submittedAt));
  const lastDone = Math.max(...run.seen.values());
  return {
    jobs: run.submitted.length,
    failed,
    completedPerSecond: round((latency.length / (lastDone - firstSubmit)) * 1000, 1),
    submitToCompleted: summarize(latency),
    accepted202: summarize(run.submitted.map((s) => s.acceptedMs)),
    modelTime: summarize(render),
    orchestrationOverhead: summarize(overhead),
    stages: {
      "submit → generator has the job": summarize(dispatch),
      "generator: job row → completed (queue wait, 3 status transactions, render, files)": summarize(generatorRun),
      "generator completed → web applied the completed webhook": summarize(delivery),
      "web applied → SSE client received COMPLETED": summarize(pushed),
    },
  };
}

/** Submits `count` jobs at `ratePerS` (open loop: arrivals never wait for answers). */
async function fixedRate(webUrl: string, token: string, count: number, ratePerS: number): Promise<Submitted[]> {
  const start = performance.now();
  const pending: Promise<Submitted>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / ratePerS;
    const wait = due - performance.now();
    if (wait > 0) {
      await sleep(wait);
    }
    pending.push(submitImage(webUrl, token, `bench fixed-rate job ${i}`));
  }
  return Promise.all(pending);
}

/** Submits `count` jobs from `submitters` closed loops: as fast as the web app accepts them. */
async function burst(webUrl: string, token: string, count: number, submitters: number): Promise<Submitted[]> {
  const out: Submitted[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: submitters }, async () => {
      while (next < count) {
        const i = next++;
        out.push(await submitImage(webUrl, token, `bench burst job ${i}`));
      }
    }),
  );
  return out;
}

/**
 * Image jobs through the web API (submit → dispatch → generator → webhooks →
 * COMPLETED) at a fixed arrival rate and as fast as possible; the queue
 * engine's own no-op rate on the same database is the ceiling.
 */
export async function benchPipeline(ctx: BenchContext): Promise<void> {
  const { stack, sizes } = ctx;
  ctx.log(`pipeline: queue baseline (${sizes.queueJobs} no-op jobs)`);
  const queue = await queueBaseline(stack.databaseUrl, sizes.queueJobs);

  const user = await signUp(stack.webUrl, "Bench Pipeline");
  // Completion is observed as the user sees it: the COMPLETED event on their live stream.
  const seen = new Map<string, number>();
  const stream = openLiveStream(stack.webUrl, user.token, (e) => {
    if (e.status === "COMPLETED" && !seen.has(e.jobId)) {
      seen.set(e.jobId, e.at);
    }
  });
  await stream.ready;
  const finished = async (submitted: Submitted[], timeoutMs: number): Promise<Run> => {
    const ids = submitted.map((j) => j.id);
    const times = await waitFinished(stack.pool, ids, timeoutMs);
    const deadline = Date.now() + 10_000;
    while (ids.some((id) => !seen.has(id)) && Date.now() < deadline) {
      await sleep(20);
    }
    return { submitted, times, seen };
  };
  // Warm-up: the first jobs pay for JIT, pools and sharp's first load.
  await finished(await burst(stack.webUrl, user.token, Math.ceil(sizes.warmup / 30), 5), 60_000);

  // The pipeline unloaded: one job at a time, each submitted once the previous one was seen COMPLETED.
  const sequentialJobs = ctx.quick ? 3 : 30;
  ctx.log(`pipeline: ${sequentialJobs} jobs one at a time`);
  const sequentialSubmitted: Submitted[] = [];
  for (let i = 0; i < sequentialJobs; i++) {
    const job = await submitImage(stack.webUrl, user.token, `bench sequential job ${i}`);
    sequentialSubmitted.push(job);
    await finished([job], 60_000);
  }
  const sequential = analyse(await finished(sequentialSubmitted, 60_000));

  ctx.log(`pipeline: ${sizes.pipelineFixedJobs} jobs at ${ARRIVAL_RATE_PER_S}/s`);
  const fixedCpu = cpuSnapshot(process.pid);
  const fixedSubmitted = await fixedRate(stack.webUrl, user.token, sizes.pipelineFixedJobs, ARRIVAL_RATE_PER_S);
  const fixed = {
    ...analyse(await finished(fixedSubmitted, 180_000)),
    cpuMsPerJob: cpuPerJob(fixedCpu, fixedSubmitted.length),
  };

  ctx.log(`pipeline: ${sizes.pipelineBurstJobs} jobs as fast as possible`);
  const burstCpu = cpuSnapshot(process.pid);
  const burstSubmitted = await burst(stack.webUrl, user.token, sizes.pipelineBurstJobs, BURST_SUBMITTERS);
  const fast = {
    ...analyse(await finished(burstSubmitted, 240_000)),
    cpuMsPerJob: cpuPerJob(burstCpu, burstSubmitted.length),
  };

  ctx.details.pipeline = {
    request: "POST /api/images/generate, 1 image 256x256 JPEG, local provider at 0 ms delay",
    observedBy:
      "the COMPLETED event on the owner's SSE stream (GET /api/events, read with fetch in the bench process); " +
      "stages from the rows' timestamps",
    queueBaseline: queue,
    oneAtATime: sequential,
    fixedRate: { ratePerSecond: ARRIVAL_RATE_PER_S, ...fixed },
    asFastAsPossible: { submitters: BURST_SUBMITTERS, ...fast },
  };
  stream.close();
  ctx.shared.user = user;
  ctx.shared.jobId = fixedSubmitted[0]?.id;
  if (sequential.failed + fixed.failed + fast.failed > 0) {
    throw new Error(`pipeline: ${sequential.failed + fixed.failed + fast.failed} jobs did not complete`);
  }

  const s = SECTION;
  ctx.figures.push(
    figure({
      section: s,
      name: "submit → COMPLETED p50, one job at a time",
      value: sequential.submitToCompleted.p50,
      unit: "ms",
      baseline: { name: "model time p50", value: sequential.modelTime.p50 },
    }),
    figure({
      section: s,
      name: `submit → COMPLETED p50 @ ${ARRIVAL_RATE_PER_S}/s`,
      value: fixed.submitToCompleted.p50,
      unit: "ms",
      baseline: { name: "one job at a time p50", value: sequential.submitToCompleted.p50 },
      target: { text: "≤ 30 ms", check: (v) => v <= 30 },
    }),
    figure({
      section: s,
      name: `submit → COMPLETED p99 @ ${ARRIVAL_RATE_PER_S}/s`,
      value: fixed.submitToCompleted.p99,
      unit: "ms",
      baseline: { name: "one job at a time p99", value: sequential.submitToCompleted.p99 },
      target: { text: "≤ 150 ms", check: (v) => v <= 150 },
    }),
    figure({
      section: s,
      name: `orchestration overhead p50 @ ${ARRIVAL_RATE_PER_S}/s`,
      value: fixed.orchestrationOverhead.p50,
      unit: "ms",
      baseline: { name: "model time p50", value: fixed.modelTime.p50 },
      note: "submit → COMPLETED minus the provider's own time, per job",
    }),
    figure({
      section: s,
      name: `completed jobs/s @ ${ARRIVAL_RATE_PER_S}/s`,
      value: fixed.completedPerSecond,
      unit: "jobs/s",
      baseline: { name: "arrival rate", value: ARRIVAL_RATE_PER_S },
    }),
    figure({
      section: s,
      name: "completed jobs/s, as fast as possible",
      value: fast.completedPerSecond,
      unit: "jobs/s",
      baseline: { name: "graphile-worker no-op jobs/s", value: queue.jobsPerSecond },
      note: "each image job is 6 queue jobs (1 dispatch, 1 generate, 4 webhook deliveries) plus 5 HTTP calls",
    }),
    figure({
      section: s,
      name: "submit → COMPLETED p50, as fast as possible",
      value: fast.submitToCompleted.p50,
      unit: "ms",
      baseline: { name: "no-op queue job p50", value: queue.latency.p50 },
    }),
  );
}
