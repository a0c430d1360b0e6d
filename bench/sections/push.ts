import { signUp } from "../../e2e/support/client";
import type { BenchContext } from "../lib/context";
import { figure } from "../lib/report";
import { now, openLiveStream } from "../lib/sse";
import { sleep, summarize } from "../lib/stats";
import { precreateJobs, signedHeaders } from "../lib/webhooks";

const SECTION = "3 push";
/** Webhooks per second while push latency is measured: the pipeline's arrival rate. */
const RATE_PER_S = 50;

/**
 * Webhook accepted → `job` event at an SSE client of the job's owner. Each
 * webhook is a signed `saving` (90 %) for its own pre-created job, sent at a
 * steady rate; the client is a plain fetch reader in the bench process.
 */
export async function benchPush(ctx: BenchContext): Promise<void> {
  const { stack, sizes } = ctx;
  const user = await signUp(stack.webUrl, "Bench Push");
  const jobs = await precreateJobs(stack.pool, user.id, sizes.pushEvents);
  const seen = new Map<string, number>();
  const stream = openLiveStream(stack.webUrl, user.token, (e) => {
    if (e.status === "SAVING" && !seen.has(e.jobId)) {
      seen.set(e.jobId, e.at);
    }
  });
  await stream.ready;
  const sent: { jobId: string; sentAt: number; acceptedAt: number }[] = [];
  const secret = stack.secrets.webhookSecret;
  const url = `${stack.webUrl}/api/webhooks/image-completion`;
  const start = now();
  const inFlight: Promise<void>[] = [];
  for (const [i, jobId] of jobs.entries()) {
    const wait = start + (i * 1000) / RATE_PER_S - now();
    if (wait > 0) {
      await sleep(wait);
    }
    inFlight.push(
      (async () => {
        const body = JSON.stringify({ job_id: jobId, user_id: user.id, status: "saving", progress: 90 });
        const sentAt = now();
        const res = await fetch(url, { method: "POST", headers: signedHeaders(secret, body), body });
        const acceptedAt = now();
        await res.text();
        if (!res.ok) {
          throw new Error(`push webhook answered ${res.status}`);
        }
        sent.push({ jobId, sentAt, acceptedAt });
      })(),
    );
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + 30_000;
  while (seen.size < jobs.length && Date.now() < deadline) {
    await sleep(50);
  }
  stream.close();
  // Left unfinished, these made-up jobs would be picked up by the reconciler later in the run.
  await stack.pool.query("delete from generations where id = any($1)", [jobs]);
  const missing = jobs.length - seen.size;
  const fromAccepted = sent.map((s) => (seen.get(s.jobId) ?? Number.NaN) - s.acceptedAt).filter(Number.isFinite);
  const fromSent = sent.map((s) => (seen.get(s.jobId) ?? Number.NaN) - s.sentAt).filter(Number.isFinite);
  const answer = summarize(sent.map((s) => s.acceptedAt - s.sentAt));
  const total = summarize(fromSent);
  ctx.details.push = {
    webhooks: jobs.length,
    ratePerSecond: RATE_PER_S,
    missing,
    "sent → event": total,
    "sent → answer": answer,
    "answer → event": summarize(fromAccepted),
    eventsBeforeTheAnswer: fromAccepted.filter((v) => v < 0).length,
    note:
      "The event is NOTIFYed at commit, when the answer is also sent, so it often arrives first: " +
      "the figures time it from the webhook's sending, an upper bound of accepted → received.",
  };
  if (missing > 0) {
    throw new Error(`push: ${missing} of ${jobs.length} events never arrived`);
  }
  ctx.figures.push(
    figure({
      section: SECTION,
      name: `webhook → SSE event p50 @ ${RATE_PER_S}/s`,
      value: total.p50,
      unit: "ms",
      baseline: { name: "webhook answer p50", value: answer.p50 },
    }),
    figure({
      section: SECTION,
      name: `webhook → SSE event p99 @ ${RATE_PER_S}/s`,
      value: total.p99,
      unit: "ms",
      baseline: { name: "webhook answer p99", value: answer.p99 },
      target: { text: "≤ 100 ms", check: (v) => v <= 100 },
      note: "from the webhook's sending: includes the apply itself",
    }),
  );
}
