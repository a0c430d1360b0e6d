/**
 * Push to paint: how long after the web app accepts a webhook the change is
 * painted in a signed-in user's page. Real stack (embedded PostgreSQL,
 * generator, built web app), Debian's Chromium through playwright-core.
 *
 *   npx tsx bench/push-to-paint.ts [updates=200]
 *
 * Each update is one signed `generating` webhook raising a followed job's
 * progress by one point (then `completed`); the page records when the
 * progress bar shows the new value, at the next animation frame (when
 * Chromium paints). Both clocks are this machine's wall clock
 * (performance.timeOrigin + performance.now()). Results go to
 * bench/results/push-to-paint.json.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { signWebhook } from "@sorami/contracts/signature";
import { launchBrowser, signInThroughForm } from "../e2e/support/browser";
import { secretsOf, signUp, sql } from "../e2e/support/client";
import { startStack } from "../e2e/support/stack";

const UPDATES = Number(process.argv[2] ?? 200);
/** Progress points per job before it completes (progress runs 1…STEPS_PER_JOB). */
const STEPS_PER_JOB = 99;

const now = () => performance.timeOrigin + performance.now();
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

async function main() {
  const stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "0" } });
  const browser = await launchBrowser();
  try {
    const user = await signUp(stack.webUrl, "Painter");
    const secret = secretsOf(stack.dataDir).webhookSecret;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signInThroughForm(page, stack.webUrl, user.email);

    const send = async (payload: object) => {
      const body = JSON.stringify(payload);
      const id = `msg_${randomUUID()}`;
      const ts = Math.floor(Date.now() / 1000);
      const res = await fetch(`${stack.webUrl}/api/webhooks/image-completion`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": id,
          "webhook-timestamp": String(ts),
          "webhook-signature": signWebhook(secret, id, ts, body),
        },
        body,
      });
      if (!res.ok) {
        throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
      }
      return now();
    };

    const latencies: number[] = [];
    while (latencies.length < UPDATES) {
      // A job row the generator never hears of: only our webhooks move it.
      const jobId = randomUUID();
      await sql(
        stack.databaseUrl,
        "insert into generations (id, kind, author_id, prompt, params) values ($1, 'image', $2, 'push to paint', $3)",
        [jobId, user.id, JSON.stringify({ prompt: "push to paint", num_images: 1, size: "256x256" })],
      );
      await page.goto(`${stack.webUrl}/generate-images?job=${jobId}`);
      await page.getByTestId("live-indicator").filter({ hasText: "Live" }).waitFor({ timeout: 30_000 });
      // A string, not a function: tsx would wrap a function with helpers the page does not have.
      await page.evaluate(`(() => {
        window.__painted = new Map();
        const record = () => {
          const value = document.querySelector('[data-testid="job-progress"]')?.getAttribute("aria-valuenow");
          if (value && !window.__painted.has(value)) {
            // The DOM changed in this task; Chromium paints right after the next animation frame callbacks.
            requestAnimationFrame(() => {
              if (!window.__painted.has(value)) window.__painted.set(value, performance.timeOrigin + performance.now());
            });
          }
        };
        new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true });
      })()`);
      for (let step = 1; step <= STEPS_PER_JOB + 1 && latencies.length < UPDATES; step++) {
        const last = step === STEPS_PER_JOB + 1;
        const value = String(last ? 100 : step);
        const accepted = await send(
          last
            ? {
                job_id: jobId,
                status: "completed",
                data: {
                  images: [{ file_path: `images/${jobId}/x.png`, format: "PNG", size_bytes: 1, dimensions: "1x1" }],
                },
              }
            : { job_id: jobId, status: "generating", progress: step },
        );
        // Read back when it was painted (the time is taken in the page, so how often we ask changes nothing).
        let painted: number | null = null;
        const deadline = Date.now() + 30_000;
        while (painted === null) {
          if (Date.now() > deadline) {
            throw new Error(`progress ${value} was never painted`);
          }
          painted = (await page.evaluate(`window.__painted.get(${JSON.stringify(value)}) ?? null`)) as number | null;
          if (painted === null) {
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        latencies.push(painted - accepted);
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      measured_at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, load_average_1m: os.loadavg()[0] ?? 0, node: process.version },
      updates: latencies.length,
      unit: "ms from the webhook's 2xx reaching the sender to the change painted in the page",
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1),
      min: sorted[0],
      note: "negative values: the page painted before the webhook's answer reached the sender (the event leaves at commit)",
    };
    const dir = path.join(import.meta.dirname, "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "push-to-paint.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `push to paint over ${result.updates} updates: p50 ${result.p50.toFixed(1)} ms · p90 ${result.p90.toFixed(1)} ms · p99 ${result.p99.toFixed(1)} ms · max ${result.max?.toFixed(1)} ms (load ${result.machine.load_average_1m.toFixed(2)})`,
    );
  } finally {
    await browser.close().catch(() => {});
    await stack.stop();
  }
}

await main();
