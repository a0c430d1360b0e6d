import path from "node:path";
import { type ImageParams, imageParamsSchema } from "@sorami/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeComfyUI, startFakeComfyUI } from "../../../../../e2e/support/fakes/comfyui";
import { InstanceDownError } from "../engines/errors";
import { recordingContext, rejection, until } from "../engines/testing";
import { RemoteWorkFailed } from "../remote";
import { RemoteLostError } from "../types";
import { comfyInstancesFromEnv } from "./index";
import { type ComfyModel, loadComfyWorkflows } from "./loader";
import { ComfyPool } from "./pool";
import { ComfyUIProvider } from "./provider";

/** A prompt's life around failures: a generator restart, a ComfyUI restart, a cancel. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");
const FAST = { pollMs: 20, instanceDownAfterMs: 5000 };

let comfy: FakeComfyUI;
let model: ComfyModel;

/** A provider as a freshly started generator builds it: new pool, new clients, nothing in memory. */
function freshProvider(): ComfyUIProvider<"image"> {
  if (model.entry.kind !== "image") {
    throw new Error("image model expected");
  }
  return new ComfyUIProvider<"image">(
    model.entry,
    model.template,
    new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: comfy.url })),
    FAST,
  );
}

beforeAll(async () => {
  comfy = await startFakeComfyUI({ stepMs: 2 });
  model = (await loadComfyWorkflows(EXAMPLES)).find((m) => m.entry.id === "comfyui:sdxl-base") as ComfyModel;
});
afterEach(() => comfy.release());
afterAll(async () => comfy?.close());

const params = (over: Record<string, unknown> = {}): ImageParams =>
  ({ ...imageParamsSchema.parse({ prompt: "a lighthouse", size: "1024x1024" }), steps: 10, ...over }) as ImageParams;
let jobs = 0;
const newJob = () => `life-${process.pid}-${++jobs}`;

describe("ComfyUI prompts across restarts", () => {
  it("resumes on a stored prompt_id after the generator restarts: exactly one POST /prompt", async () => {
    comfy.hold();
    const ctx = recordingContext(newJob());
    const handle = await freshProvider().submit(params(), ctx);
    // The generator dies here; the pipeline had stored `handle`. A new process resumes on it.
    const resumed = freshProvider();
    const waiting = resumed.wait(handle, params(), ctx);
    await until(() => comfy.connected(String(handle.state?.client_id)), "the resumed websocket");
    comfy.release();
    const out = await waiting;
    expect(out.files).toHaveLength(1);
    expect(out.metadata.prompt_id).toBe(handle.id);
    expect(comfy.promptsFor(ctx.jobId)).toBe(1);
  });

  it("takes over a prompt it queued before a crash lost the handle, instead of queuing it twice", async () => {
    comfy.hold();
    const ctx = recordingContext(newJob());
    const first = await freshProvider().submit(params(), ctx);
    // Crash before the handle was stored: the next run submits again.
    const again = await freshProvider().submit(params(), ctx);
    expect(again).toMatchObject({ id: first.id, instance: first.instance, state: { adopted: true } });
    expect(again.state?.client_id).toBe(first.state?.client_id);
    comfy.release();
    expect((await freshProvider().wait(again, params(), ctx)).files).toHaveLength(1);
    expect(comfy.promptsFor(ctx.jobId)).toBe(1);
  });

  it("submits afresh when the earlier prompt of the job failed, after forgetting its history", async () => {
    const ctx = recordingContext(newJob());
    const provider = freshProvider();
    const failed = await provider.submit(params({ prompt: "a lighthouse [error]" }), ctx);
    expect(await rejection(provider.wait(failed, params(), ctx))).toBeInstanceOf(RemoteWorkFailed);
    const retry = await provider.submit(params(), ctx);
    expect(retry.state?.adopted).toBeUndefined();
    expect((await provider.wait(retry, params(), ctx)).files).toHaveLength(1);
    expect(comfy.promptsFor(ctx.jobId)).toBe(2);
  });

  it("reports a prompt that a restarted ComfyUI forgot as lost, for one recorded re-submission", async () => {
    comfy.hold();
    const ctx = recordingContext(newJob());
    const provider = freshProvider();
    const handle = await provider.submit(params(), ctx);
    comfy.restart();
    const error = await rejection(provider.wait(handle, params(), ctx));
    expect(error).toBeInstanceOf(RemoteLostError);
    expect(error).not.toBeInstanceOf(InstanceDownError);
    expect(error.message).toContain("no longer knows prompt");
    // What the pipeline then does: submit once more (same job id), and wait on the new handle.
    const again = await provider.submit(params(), ctx);
    expect((await provider.wait(again, params(), ctx)).files).toHaveLength(1);
    expect(comfy.promptsFor(ctx.jobId)).toBe(2);
  });
});

describe("cancelling a ComfyUI prompt", () => {
  it("interrupts a running prompt with its prompt_id", async () => {
    const provider = freshProvider();
    const ctx = recordingContext(newJob());
    comfy.hold();
    const handle = await provider.submit(params({ steps: 50 }), ctx);
    // Held, it starts and stops before its first step: running, for as long as the test needs.
    await until(() => comfy.runningId() === handle.id, "the prompt to run");
    await provider.cancel(handle);
    expect(comfy.requests.filter((r) => r.path === "/interrupt").at(-1)?.body).toEqual({ prompt_id: handle.id });
    comfy.release();
    const error = await rejection(provider.wait(handle, params(), ctx));
    expect(error).toBeInstanceOf(RemoteWorkFailed);
    expect(error.message).toContain("interrupted");
  });

  it("deletes a queued prompt from the queue without interrupting the running one", async () => {
    const provider = freshProvider();
    comfy.hold();
    const running = await provider.submit(params(), recordingContext(newJob()));
    const queued = await provider.submit(params(), recordingContext(newJob()));
    await until(() => comfy.runningId() === running.id, "the first prompt to run");
    const interruptsBefore = comfy.requests.filter((r) => r.path === "/interrupt").length;
    await provider.cancel(queued);
    expect(comfy.requests.filter((r) => r.path === "/queue" && r.method === "POST").at(-1)?.body).toEqual({
      delete: [queued.id],
    });
    expect(comfy.pendingIds()).not.toContain(queued.id);
    expect(comfy.requests.filter((r) => r.path === "/interrupt")).toHaveLength(interruptsBefore);
    comfy.release();
    expect((await provider.wait(running, params(), recordingContext("x"))).files).toHaveLength(1);
  });
});
