import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, present, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type ComfyHandle, finishedImage, instanceIndex, storedComfyHandle } from "../support/comfyui-jobs";
import { type EventClient, isJobEvent, openEvents } from "../support/events";
import { type FakeComfyUI, startFakeComfyUI } from "../support/fakes/comfyui";
import { type FakeServer, type Reply, startFakeServer } from "../support/fakes/server";
import { type Stack, startStack } from "../support/stack";

/**
 * ComfyUI as the user's own GPUs, through the whole stack: two instances
 * (stand-ins speaking its HTTP and websocket protocol) behind COMFYUI_URLS,
 * the example workflows as models. Jobs report their sampler steps on the
 * user's event stream, survive a SIGKILLed generator on their stored
 * prompt_id, cancel at ComfyUI, spread by queue length and move off an
 * instance that goes down.
 */
const WORKFLOWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/comfyui-workflows");
const TXT2IMG = "comfyui:sdxl-base";
const IMG2IMG = "comfyui:sdxl-img2img";

let gpus: FakeComfyUI[];
let pictures: FakeServer;
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  // Sampler steps slow enough for progress to be reported between them.
  gpus = await Promise.all([startFakeComfyUI({ stepMs: 150 }), startFakeComfyUI({ stepMs: 150 })]);
  const picture = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#3a6" } })
    .png()
    .toBuffer();
  // The input image of image-to-image jobs, on a server only the operator's allowlist lets the fetcher reach.
  pictures = await startFakeServer(
    (_req, url): Reply =>
      url.pathname === "/scene.png"
        ? { status: 200, body: picture, headers: { "content-type": "image/png" } }
        : { status: 404 },
  );
  stack = await startStack({
    env: {
      INPUT_IMAGE_ALLOWED_HOSTS: new URL(pictures.url).host,
      COMFYUI_URLS: gpus.map((g) => g.url).join(","),
      COMFYUI_WORKFLOWS_DIR: WORKFLOWS,
      LOCAL_PROVIDER_DELAY_MS: "0",
      // A killed generator's queue jobs are taken up again after this, not after a minute.
      QUEUE_STALE_SECONDS: "3",
    },
  });
  user = await signUp(stack.webUrl, "GPU Owner");
  call = api(stack.webUrl, user.token);
}, 300_000);
afterEach(() => {
  for (const g of gpus) {
    g.release();
  }
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([...(gpus ?? []).map((g) => g.close()), pictures?.close()]);
});

async function submit(body: Record<string, unknown>): Promise<string> {
  const r = await call("POST", "/api/images/generate", { model: TXT2IMG, size: "1024x768", ...body });
  expect(r.status, r.text).toBe(202);
  return r.data.job_id;
}

const finish = (jobId: string) => finishedImage(call, jobId);
const storedHandle = (jobId: string) => storedComfyHandle(stack.databaseUrl, jobId);
type Handle = ComfyHandle;

/** The stand-in an instance name (its URL) designates. */
function gpuOf(handle: Handle): FakeComfyUI {
  return present(gpus[instanceIndex(gpus, handle)], `the instance ${handle.instance}`);
}

async function imageWidth(jobId: string): Promise<number | undefined> {
  const result = (await call("GET", `/api/images/${jobId}/result`)).data;
  const file = present(result.images[0], "the image");
  const res = await fetch(`${stack.webUrl}${file.url}`, { headers: { authorization: `Bearer ${user.token}` } });
  expect(res.status).toBe(200);
  return (await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width;
}

const posts = (g: FakeComfyUI, path: string) => g.requests.filter((r) => r.method === "POST" && r.path === path);

describe("a ComfyUI job through the whole stack", () => {
  let events: EventClient;
  beforeAll(async () => {
    events = await openEvents(stack.webUrl, user.token);
    await events.waitFor((m) => m.event === "snapshot", "the snapshot");
  });
  afterAll(() => events?.close());

  it("text-to-image: sampler steps reach the user's event stream, the image the gallery", async () => {
    const jobId = await submit({ prompt: "a lighthouse at dusk", steps: 20 });
    expect((await finish(jobId)).status).toBe("COMPLETED");
    await events.waitFor((m) => isJobEvent(m, jobId, "COMPLETED"), "the completion");
    const generating = events.messages
      .filter((m) => isJobEvent(m, jobId, "GENERATING"))
      .map((m) => JSON.parse(m.data) as { progress: number; message: string | null });
    // ComfyUI's `progress` messages (value/max of the KSampler) as the job's own words and percentage.
    const steps = generating.filter((e) => /step \d+ of 20/.test(e.message ?? ""));
    expect(steps.length, JSON.stringify(generating)).toBeGreaterThanOrEqual(1);
    const values = generating.map((e) => e.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(await imageWidth(jobId)).toBe(1024);
    const handle = await storedHandle(jobId);
    expect(gpuOf(handle).promptsFor(jobId)).toBe(1);
  }, 240_000);

  it("image-to-image: the input image is uploaded to ComfyUI and loaded by the workflow", async () => {
    const jobId = await submit({
      prompt: "the same scene in watercolour",
      model: IMG2IMG,
      input_image_url: `${pictures.url}/scene.png`,
    });
    const status = await finish(jobId);
    expect([status.status, status.error, status.model]).toEqual(["COMPLETED", null, IMG2IMG]);
    await events.waitFor((m) => isJobEvent(m, jobId, "GENERATING"), "its progress");
    const gpu = gpuOf(await storedHandle(jobId));
    const [posted] = gpu.posted().filter((p) => p.body?.extra_data?.sorami_job_id === jobId);
    const loaded = Object.values(present(posted?.body?.prompt, "the graph")).find((n) => n.class_type === "LoadImage");
    const uploaded = posts(gpu, "/upload/image").length;
    expect(uploaded).toBeGreaterThanOrEqual(1);
    expect(String(loaded?.inputs?.image)).toMatch(/^sorami\//);
    expect(await imageWidth(jobId)).toBe(1024);
  }, 240_000);

  // Not delivered yet: the generator receives ComfyUI's preview frames (ProviderProgress.preview)
  // but announceProgress in apps/generator/src/jobs/generate.ts drops them, and the job event has no field for one.
  it.todo("a live preview frame reaches the user's event stream and the job panel");
});

describe("a generator SIGKILLed while ComfyUI renders", () => {
  it("resumes on the stored prompt_id: one POST /prompt per job, the render collected", async () => {
    for (const g of gpus) {
      g.hold();
    }
    const jobs = [await submit({ prompt: "a kite [kill] one" }), await submit({ prompt: "a kite [kill] two" })];
    const handles = await Promise.all(jobs.map(storedHandle));
    await waitFor(
      async () => handles.every((h) => [gpuOf(h).runningId(), ...gpuOf(h).pendingIds()].includes(h.id)),
      "both prompts at ComfyUI",
    );
    await stack.stopService("generator", "SIGKILL");
    for (const g of gpus) {
      g.release();
    }
    await stack.startService("generator");
    for (const [i, jobId] of jobs.entries()) {
      const status = await finish(jobId);
      expect([jobId, status.status, status.error]).toEqual([jobId, "COMPLETED", null]);
      expect((await call("GET", `/api/images/${jobId}`)).data.request_id).toBe(handles[i]?.id);
      expect(gpus.map((g) => g.promptsFor(jobId)).reduce((a, b) => a + b)).toBe(1);
    }
    const runs = await sql<{ remote_submissions: number }>(
      stack.databaseUrl,
      "select remote_submissions from generator.jobs where id = any($1)",
      [jobs],
    );
    expect(runs.map((r) => r.remote_submissions)).toEqual([1, 1]);
  }, 300_000);

  it("a ComfyUI that restarted (queue and history forgotten) gets the prompt once more, recorded", async () => {
    for (const g of gpus) {
      g.hold();
    }
    const jobId = await submit({ prompt: "a kite [forgotten]" });
    const handle = await storedHandle(jobId);
    const gpu = gpuOf(handle);
    await waitFor(async () => gpu.runningId() === handle.id, "the prompt running");
    // Wherever the prompt goes again (the shortest queue), it runs.
    for (const g of gpus) {
      g.release();
    }
    gpu.restart();
    expect((await finish(jobId)).status).toBe("COMPLETED");
    expect(gpu.promptsFor(jobId) + gpus.filter((g) => g !== gpu).reduce((n, g) => n + g.promptsFor(jobId), 0)).toBe(2);
    const [run] = await sql<{ remote_submissions: number }>(
      stack.databaseUrl,
      "select remote_submissions from generator.jobs where id = $1",
      [jobId],
    );
    expect(run?.remote_submissions).toBe(2);
  }, 240_000);
});

describe("cancel", () => {
  it("interrupts a running prompt and deletes a queued one, at the instance that has it", async () => {
    for (const g of gpus) {
      g.hold();
    }
    // Two jobs per instance: the first of each runs (held), the second waits in its queue.
    const jobs: string[] = [];
    for (let i = 0; i < 4; i++) {
      jobs.push(await submit({ prompt: `a kite [cancel] ${i}` }));
      await storedHandle(jobs[i] as string);
    }
    const handles = await Promise.all(jobs.map(storedHandle));
    await waitFor(async () => gpus.every((g) => g.runningId() && g.pendingIds().length === 1), "two per instance");
    const running = present(handles.find((h) => gpuOf(h).runningId() === h.id));
    const queued = present(handles.find((h) => gpuOf(h).pendingIds().includes(h.id)));
    for (const h of [running, queued]) {
      const jobId = jobs[handles.indexOf(h)] as string;
      expect((await call("POST", `/api/images/${jobId}/cancel`)).status).toBe(200);
    }
    await waitFor(
      async () =>
        posts(gpuOf(running), "/interrupt").some((r) => (r.body as { prompt_id?: string })?.prompt_id === running.id),
      "POST /interrupt for the running prompt",
    );
    await waitFor(
      async () =>
        posts(gpuOf(queued), "/queue").some((r) =>
          ((r.body as { delete?: string[] })?.delete ?? []).includes(queued.id),
        ),
      "POST /queue {delete} for the queued prompt",
    );
    expect(gpuOf(queued).pendingIds()).not.toContain(queued.id);
    for (const g of gpus) {
      g.release();
    }
    for (const [i, jobId] of jobs.entries()) {
      const canceled = handles[i] === running || handles[i] === queued;
      expect([jobId, (await finish(jobId)).status]).toEqual([jobId, canceled ? "CANCELED" : "COMPLETED"]);
    }
    // The interrupted prompt ended without outputs; the deleted one never ran.
    expect(gpus.reduce((n, g) => n + g.promptsFor(jobs[handles.indexOf(queued)] as string), 0)).toBe(1);
  }, 300_000);
});
