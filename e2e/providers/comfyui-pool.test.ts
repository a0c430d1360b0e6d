import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, present, signUp, type TestUser, waitFor } from "../support/client";
import { type ComfyHandle, finishedImage, instanceIndex, storedComfyHandle } from "../support/comfyui-jobs";
import { type FakeComfyUI, startFakeComfyUI } from "../support/fakes/comfyui";
import { type Stack, startStack } from "../support/stack";

/**
 * Several ComfyUI instances behind COMFYUI_URLS, through the whole stack:
 * each job goes to the instance with the shortest queue; when one stops
 * answering, the jobs waiting in its queue (not the one running) move to the
 * other and run there; none is lost, none rendered twice.
 */
const WORKFLOWS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/comfyui-workflows");

let gpus: FakeComfyUI[];
let stack: Stack;
let user: TestUser;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  gpus = await Promise.all([startFakeComfyUI({ stepMs: 50 }), startFakeComfyUI({ stepMs: 50 })]);
  stack = await startStack({
    env: {
      COMFYUI_URLS: gpus.map((g) => g.url).join(","),
      COMFYUI_WORKFLOWS_DIR: WORKFLOWS,
      LOCAL_PROVIDER_DELAY_MS: "0",
    },
  });
  user = await signUp(stack.webUrl, "GPU Pool Owner");
  call = api(stack.webUrl, user.token);
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await Promise.all((gpus ?? []).map((g) => g.close()));
});

type Handle = ComfyHandle;
const storedHandle = (jobId: string, notOn?: string) => storedComfyHandle(stack.databaseUrl, jobId, notOn);
const indexOf = (h: Handle) => instanceIndex(gpus, h);

async function submit(prompt: string): Promise<string> {
  const r = await call("POST", "/api/images/generate", { prompt, model: "comfyui:sdxl-base", size: "1024x768" });
  expect(r.status, r.text).toBe(202);
  return r.data.job_id;
}

const finish = (jobId: string) => finishedImage(call, jobId);

describe("two ComfyUI instances", () => {
  it("spreads jobs by queue length and moves the queued ones off an instance that goes down", async () => {
    const [a, b] = gpus as [FakeComfyUI, FakeComfyUI];
    a.hold();
    b.hold();
    const jobs: string[] = [];
    const handles: Handle[] = [];
    for (let i = 0; i < 4; i++) {
      jobs.push(await submit(`a harbour [pool] ${i}`));
      handles.push(await storedHandle(jobs[i] as string));
    }
    // One running and one queued on each: the shortest queue each time.
    expect([0, 1].map((g) => handles.filter((h) => indexOf(h) === g).length)).toEqual([2, 2]);
    await waitFor(async () => gpus.every((g) => g.runningId() && g.pendingIds().length === 1), "two per instance");

    const runningOnA = present(handles.find((h) => indexOf(h) === 0 && a.runningId() === h.id));
    const queuedOnA = present(handles.find((h) => indexOf(h) === 0 && a.pendingIds().includes(h.id)));
    const movedJob = jobs[handles.indexOf(queuedOnA)] as string;
    await a.down();
    b.release();
    // After the instance has been silent long enough (INSTANCE_DOWN_AFTER_MS), its queued job runs on b.
    const moved = await storedHandle(movedJob, queuedOnA.instance);
    expect(indexOf(moved)).toBe(1);
    expect((await finish(movedJob)).status).toBe("COMPLETED");
    for (const [i, jobId] of jobs.entries()) {
      if (indexOf(present(handles[i])) === 1) {
        expect((await finish(jobId)).status).toBe("COMPLETED");
      }
    }
    // The job running on a waits for it, on its prompt_id.
    const runningJob = jobs[handles.indexOf(runningOnA)] as string;
    expect(["COMPLETED", "FAILED", "CANCELED"]).not.toContain(
      (await call("GET", `/api/images/${runningJob}/status`)).data.status,
    );

    // a comes back with its old queue, held: the next submission removes the moved prompt from it.
    await a.up();
    a.hold();
    const after = await submit("a harbour [pool] after");
    await waitFor(
      async () =>
        a.requests.some(
          (r) =>
            r.method === "POST" &&
            r.path === "/queue" &&
            ((r.body as { delete?: string[] })?.delete ?? []).includes(queuedOnA.id),
        ),
      "the moved prompt deleted at a",
    );
    expect(a.pendingIds()).not.toContain(queuedOnA.id);
    a.release();
    b.release();
    for (const jobId of [...jobs, after]) {
      const status = await finish(jobId);
      expect([jobId, status.status, status.error]).toEqual([jobId, "COMPLETED", null]);
      const result = (await call("GET", `/api/images/${jobId}/result`)).data;
      expect(result.images).toHaveLength(1);
    }
    // None lost, none twice: one prompt per job, the moved one queued once on each instance and rendered on b only.
    for (const jobId of jobs) {
      expect([jobId, a.promptsFor(jobId) + b.promptsFor(jobId)]).toEqual([jobId, jobId === movedJob ? 2 : 1]);
    }
    const history = await (await fetch(`${a.url}/history/${queuedOnA.id}`)).json();
    expect(history).toEqual({});
  }, 300_000);
});
