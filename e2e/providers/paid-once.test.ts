import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, present, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type FakeFal, startFakeFal } from "../support/fakes/fal";
import { type FakeGoogle, startFakeGoogle } from "../support/fakes/google";
import { type FakeReplicate, startFakeReplicate } from "../support/fakes/replicate";
import { parseMp4 } from "../support/mp4";
import { type Stack, startStack } from "../support/stack";

/**
 * A paid call is never lost and never paid twice, through the whole stack:
 * the generator SIGKILLed while fal, Replicate and Veo work on its jobs comes
 * back to the same requests; a cancel reaches the vendor's cancel endpoint;
 * a model rate-limited beyond its retries hands the job to its fallback.
 */
let google: FakeGoogle;
let fal: FakeFal;
let replicate: FakeReplicate;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

const REPLICATE_SCHNELL = "replicate:black-forest-labs/flux-schnell";
const FAL_SCHNELL = "fal-ai/flux/schnell";

beforeAll(async () => {
  [google, fal, replicate] = await Promise.all([startFakeGoogle(), startFakeFal(), startFakeReplicate()]);
  const dir = mkdtempSync(path.join(os.tmpdir(), "sorami-paid-once-"));
  const models = path.join(dir, "models.yaml");
  writeFileSync(models, `fallbacks:\n  "${REPLICATE_SCHNELL}": ["${FAL_SCHNELL}"]\n`);
  stack = await startStack({
    env: {
      GEMINI_API_KEY: google.apiKey,
      GOOGLE_GEMINI_BASE_URL: google.url,
      FAL_KEY: fal.key,
      FAL_BASE_URL: fal.url,
      REPLICATE_API_TOKEN: replicate.token,
      REPLICATE_BASE_URL: `${replicate.url}/v1`,
      MODELS_FILE: models,
      LOCAL_PROVIDER_DELAY_MS: "0",
      // A killed generator's queue jobs are taken up again after this, not after a minute.
      QUEUE_STALE_SECONDS: "3",
    },
  });
  user = await signUp(stack.webUrl, "Paid Once");
  call = api(stack.webUrl, user.token);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all([google?.close(), fal?.close(), replicate?.close()]);
});

async function submit(kind: "images" | "videos", body: Record<string, unknown>): Promise<string> {
  const r = await call("POST", `/api/${kind}/generate`, body);
  expect(r.status, r.text).toBe(202);
  return r.data.job_id;
}

async function finish(kind: "images" | "videos", jobId: string) {
  return waitFor(
    async () => {
      const r = await call("GET", `/api/${kind}/${jobId}/status`);
      return ["COMPLETED", "FAILED", "CANCELED"].includes(r.data.status) ? r.data : null;
    },
    `${kind} job ${jobId}`,
    240_000,
  );
}

/** The provider's handle the generator committed for a job (before its first wait). */
async function storedHandle(jobId: string): Promise<{ id: string }> {
  return waitFor(async () => {
    const [row] = await sql<{ remote_handle: { id: string } | null }>(
      stack.databaseUrl,
      "select remote_handle from generator.jobs where id = $1",
      [jobId],
    );
    return row?.remote_handle ?? null;
  }, `the stored request of ${jobId}`);
}

async function download(url: string): Promise<Buffer> {
  const res = await fetch(`${stack.webUrl}${url}`, { headers: { authorization: `Bearer ${user.token}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe("fallback", () => {
  it("moves a job whose model stays rate-limited beyond its retries to the fallback, and records why", async () => {
    replicate.on("[busy]", { rateLimit: { times: 1_000, retryAfterSeconds: 1 } });
    const jobId = await submit("images", { prompt: "a gull [busy]", model: REPLICATE_SCHNELL, size: "512x512" });
    const status = await finish("images", jobId);
    expect(status).toMatchObject({ status: "COMPLETED", model: FAL_SCHNELL, provider: "fal" });
    const detail = (await call("GET", `/api/images/${jobId}`)).data;
    expect(detail).toMatchObject({ requested_model: REPLICATE_SCHNELL, model: FAL_SCHNELL, provider: "fal" });
    expect(detail.fallbacks).toEqual([
      { from: REPLICATE_SCHNELL, to: FAL_SCHNELL, reason: "rate_limit", message: expect.stringContaining("429") },
    ]);
    expect(detail.request_id).toBe([...fal.runs.values()].find((r) => r.prompt === "a gull [busy]")?.id);
    // Replicate never accepted it; fal made it once.
    expect([replicate.submissions("[busy]"), fal.submissions("[busy]")]).toEqual([0, 1]);
    const image = present("images" in detail ? detail.images[0] : undefined, "the image");
    expect((await sharp(await download(image.url)).metadata()).width).toBe(512);
  }, 240_000);
});

describe("cancel", () => {
  it("reaches fal's and Replicate's cancel endpoints for the request the job is waiting on", async () => {
    fal.on("[cancel]", { hold: true });
    replicate.on("[cancel]", { hold: true });
    const atFal = await submit("images", { prompt: "a kite [cancel]", model: FAL_SCHNELL });
    const atReplicate = await submit("images", { prompt: "a kite [cancel]", model: REPLICATE_SCHNELL });
    const falHandle = await storedHandle(atFal);
    const replicateHandle = await storedHandle(atReplicate);
    for (const jobId of [atFal, atReplicate]) {
      expect((await call("POST", `/api/images/${jobId}/cancel`)).status).toBe(200);
    }
    await waitFor(
      async () =>
        fal.cancels().some((r) => r.path === `/fal-ai/flux/requests/${falHandle.id}/cancel`) &&
        replicate.cancels().some((r) => r.path === `/v1/predictions/${replicateHandle.id}/cancel`),
      "both vendors' cancel endpoints",
    );
    for (const jobId of [atFal, atReplicate]) {
      expect((await finish("images", jobId)).status).toBe("CANCELED");
    }
    expect([fal.submissions("[cancel]"), replicate.submissions("[cancel]")]).toEqual([1, 1]);
  }, 120_000);
});

describe("a generator killed while the providers work", () => {
  it("comes back to the same fal request, Replicate prediction and Veo operation: one paid call each", async () => {
    fal.on("[kill]", { hold: true, queue: [2, 1] });
    replicate.on("[kill]", { hold: true, logs: ["Loading the model"] });
    const jobs = [
      { kind: "images" as const, id: await submit("images", { prompt: "fal [kill]", model: FAL_SCHNELL }) },
      {
        kind: "images" as const,
        id: await submit("images", { prompt: "replicate [kill]", model: REPLICATE_SCHNELL }),
      },
      {
        kind: "videos" as const,
        id: await submit("videos", {
          prompt: "veo [kill] [hold]",
          model: "veo-3.1-generate-preview",
          duration_seconds: 4,
        }),
      },
    ];
    const handles = await Promise.all(jobs.map((j) => storedHandle(j.id)));

    await stack.stopService("generator", "SIGKILL");
    // While it is away the work ends at each vendor; the generator finds it done when it comes back.
    for (const run of [...fal.runs.values(), ...replicate.runs.values()]) {
      if (run.prompt.includes("[kill]")) {
        fal.release(run.id);
        replicate.release(run.id);
      }
    }
    google.releaseHeld();
    await stack.startService("generator");

    for (const [i, job] of jobs.entries()) {
      const status = await finish(job.kind, job.id);
      expect([job.id, status.status, status.error]).toEqual([job.id, "COMPLETED", null]);
      const detail = (await call("GET", `/api/${job.kind}/${job.id}`)).data;
      // Completed with the output of the request stored before the kill.
      expect(detail.request_id).toBe(handles[i]?.id);
      const file = present(("images" in detail ? detail.images : detail.videos)[0], "the file");
      const bytes = await download(file.url);
      if (job.kind === "videos") {
        expect(parseMp4(bytes).codec).toBe("avc1");
      } else {
        expect((await sharp(bytes).metadata()).width).toBe(1024);
      }
    }
    expect(fal.submissions("[kill]")).toBe(1);
    expect(replicate.submissions("[kill]")).toBe(1);
    const veoStarts = google
      .calls("predictLongRunning")
      .filter((r) => r.body?.instances?.[0]?.prompt?.includes("[kill]"));
    expect(veoStarts).toHaveLength(1);
    const runs = await sql<{ id: string; remote_submissions: number; attempts: number }>(
      stack.databaseUrl,
      "select id, remote_submissions, attempts from generator.jobs where id = any($1)",
      [jobs.map((j) => j.id)],
    );
    // Two runs each (the killed one and the one that resumed), one submission each.
    expect(runs.map((r) => [r.remote_submissions, r.attempts])).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  }, 300_000);
});
