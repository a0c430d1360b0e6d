import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUILT_IN_MODELS, type CatalogEntry, imageParamsSchema } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage } from "@sorami/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeFal, startFakeFal } from "../../../../e2e/support/fakes/fal";
import { cancelJob } from "../domain/jobs";
import { localFactory } from "../providers/factories";
import { createFal, FalProvider } from "../providers/fal";
import { createModelRegistry, type ModelRegistry } from "../providers/registry";
import { FAST_POLL } from "../providers/remote-test-kit";
import { abortLocalJob, MAX_GENERATE_ATTEMPTS, runGenerateJob } from "./generate";

/**
 * The pipeline around an asynchronous provider: the real fal provider and
 * @fal-ai/client against the fal stand-in, a real database. Never pay
 * twice, cancel at the provider, progress as the provider says it, and
 * fallbacks.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let fal: FakeFal;
let models: ModelRegistry;
const storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-model-call-")));
const SCHNELL = "fal-ai/flux/schnell";
const schnell = {
  ...(BUILT_IN_MODELS.find((e) => e.id === SCHNELL) as CatalogEntry),
  fallbacks: ["local-image-v1"],
} as CatalogEntry;
const ONE_TRY = { attempts: 1, baseMs: 10, maxWaitMs: 10_000 };
const provider = () => new FalProvider<"image">(createFal({ key: fal.key, baseUrl: fal.url }), schnell, FAST_POLL);

beforeAll(async () => {
  [t, fal] = await Promise.all([startTestDatabase(), startFakeFal()]);
  models = createModelRegistry(
    {
      entries: [schnell, ...BUILT_IN_MODELS.filter((e) => e.provider === "local")],
      defaults: { image: "local-image-v1", video: "local-video-v1" },
    },
    {
      fal: async (entry) => ({
        mode: "async",
        // One call per run: @fal-ai/client already backs off ~7 s on a 429 before it gives up.
        provider: new FalProvider(createFal({ key: fal.key, baseUrl: fal.url }), entry, FAST_POLL, ONE_TRY),
      }),
      local: localFactory({ delayMs: 0, transientFailureRate: 0 }),
    },
  );
});
afterAll(async () => {
  await Promise.all([t?.stop(), fal?.close()]);
});

let n = 0;
async function job(prompt: string, extra: Partial<typeof schema.generatorJobs.$inferInsert> = {}): Promise<string> {
  const id = `model-call-${++n}`;
  await t.db.insert(schema.generatorJobs).values({
    id,
    kind: "image",
    userId: "u1",
    model: SCHNELL,
    provider: "fal",
    request: {
      prompt,
      model: SCHNELL,
      num_images: 1,
      size: "256x256",
      format: "PNG",
      style: "sketch",
      quality: "high",
    },
    ...extra,
  });
  return id;
}
const deps = () => ({
  db: t.db,
  storage,
  models,
  webUrl: "http://127.0.0.1:9",
  environment: "test",
  providerUpdateIntervalMs: 0,
});
const run = (id: string) => runGenerateJob(deps(), id);
const row = async (id: string) =>
  (await t.db.select().from(schema.generatorJobs).where(eq(schema.generatorJobs.id, id)))[0];
const announced = async (id: string) =>
  (await t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.jobId, id)))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((d) => ({ event: d.event, body: JSON.parse(d.body) }));
async function until<T>(check: () => Promise<T | null | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("an asynchronous provider in the pipeline", () => {
  it("resumes on a stored request instead of submitting again, and completes with that request's files", async () => {
    const params = imageParamsSchema.parse({ prompt: "a heron [resume]", size: "256x256" });
    const handle = await provider().submit(params, { jobId: "x", attempt: 1, signal: new AbortController().signal });
    const id = await job("a heron [resume]", { remoteHandle: handle, remoteSubmissions: 1, status: "GENERATING" });
    await run(id);
    const done = await row(id);
    expect(done?.status).toBe("COMPLETED");
    expect(fal.submissions("[resume]")).toBe(1);
    expect(done?.remoteSubmissions).toBe(1);
    expect(done?.result?.metadata).toMatchObject({ request_id: handle.id, model_name: SCHNELL, provider: "fal" });
  });

  it("stores the request id before waiting; a cancel reaches fal's cancel endpoint", async () => {
    fal.on("[held]", { hold: true });
    const id = await job("a kite [held]");
    const running = run(id);
    const stored = await until(async () => (await row(id))?.remoteHandle);
    expect(await cancelJob(t.db, models, id)).toBe("canceled");
    abortLocalJob(id); // what the cancel listener does when the NOTIFY arrives
    await running;
    expect(fal.cancels().map((r) => r.path)).toContain(`/fal-ai/flux/requests/${stored.id}/cancel`);
    expect((await row(id))?.status).toBe("CANCELED");
    expect(fal.submissions("[held]")).toBe(1);
  });

  it("submits once more, counted, when fal no longer knows the stored request", async () => {
    const id = await job("a fox [lost]", {
      remoteHandle: { id: "forgotten-request", state: { app: "fal-ai/flux" } },
      remoteSubmissions: 1,
    });
    await run(id);
    expect(await row(id)).toMatchObject({ status: "COMPLETED", remoteSubmissions: 2 });
    expect(fal.submissions("[lost]")).toBe(1);
  });

  it("forgets the request when its work failed, so the retry submits anew", async () => {
    fal.on("[crash]", { outcome: "failure", message: "CUDA out of memory" });
    const id = await job("an owl [crash]");
    await run(id);
    const after = await row(id);
    expect([after?.status, after?.remoteHandle, after?.remoteStatus]).toEqual(["GENERATING", null, "failed"]);
  });

  it("announces what fal says (queue position, log lines, their percentages) and invents nothing", async () => {
    fal.on("[talk]", { queue: [3, 2], logs: ["Loading weights", " 50%|█████     | 2/4 [00:01<00:01]"] });
    const id = await job("a crane [talk]");
    await run(id);
    const said = (await announced(id))
      .filter((d) => d.event.startsWith("generating"))
      .map((d) => [d.body.message, d.body.progress]);
    expect(said).toEqual([
      ["Generating…", 60],
      ["Submitted to FLUX.1 [schnell] (fal)", 60],
      ["In queue — position 3", 60],
      ["In queue — position 2", 60],
      ["Loading weights", 60],
      [" 50%|█████ | 2/4 [00:01<00:01]".trim(), 74],
    ]);
    const generating = (await announced(id)).filter((d) => d.event.startsWith("generating"));
    expect(generating.at(-1)?.body.serving).toMatchObject({ model: SCHNELL, provider: "fal" });
    expect(generating.at(-1)?.body.serving.request_id).toBe((await row(id))?.remoteHandle?.id);
  });
});

describe("fallbacks", () => {
  it("moves to the next fallback after the model's retries are spent on rate limits, and records why", async () => {
    fal.on("[busy]", { rateLimit: { times: 1000, retryAfterSeconds: 0 } });
    const id = await job("a bee [busy]", { attempts: MAX_GENERATE_ATTEMPTS - 1 });
    await run(id);
    const moved = await row(id);
    expect(moved).toMatchObject({ status: "GENERATING", model: "local-image-v1", provider: "local", attempts: 0 });
    expect(moved?.fallbacks).toEqual([
      { from: SCHNELL, to: "local-image-v1", reason: "rate_limit", message: expect.stringContaining("HTTP 429") },
    ]);
    await run(id);
    const done = await row(id);
    expect(done?.status).toBe("COMPLETED");
    expect(done?.result?.metadata).toMatchObject({
      model_name: "local-image-v1",
      provider: "local",
      requested_model: SCHNELL,
      fallbacks: [{ from: SCHNELL, to: "local-image-v1", reason: "rate_limit" }],
    });
  });

  it("never falls back from blocked content", async () => {
    fal.on("[nsfw]", { outcome: "blocked" });
    const id = await job("something [nsfw]");
    await run(id);
    expect(await row(id)).toMatchObject({ status: "FAILED", model: SCHNELL, fallbacks: [] });
  });
});
