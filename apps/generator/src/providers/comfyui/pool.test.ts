import net from "node:net";
import path from "node:path";
import { type ImageParams, imageParamsSchema } from "@sorami/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeComfyUI, startFakeComfyUI } from "../../../../../e2e/support/fakes/comfyui";
import { InstanceDownError } from "../engines/errors";
import { recordingContext, rejection, until } from "../engines/testing";
import { type ProviderError, RemoteLostError } from "../types";
import { comfyInstancesFromEnv } from "./index";
import { type ComfyModel, loadComfyWorkflows } from "./loader";
import { ComfyPool } from "./pool";
import { ComfyUIProvider } from "./provider";
import type { ComfyTimings } from "./watch";

/** Several ComfyUI instances: the shortest queue wins, a dead instance is skipped and its queued work moves. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");

let a: FakeComfyUI;
let b: FakeComfyUI;
let model: ComfyModel;

function providerOn(urls: string[], timings: ComfyTimings = { pollMs: 20, instanceDownAfterMs: 5000 }) {
  if (model.entry.kind !== "image") {
    throw new Error("image model expected");
  }
  const pool = new ComfyPool(comfyInstancesFromEnv({ COMFYUI_URLS: urls.join(",") }));
  return { pool, provider: new ComfyUIProvider<"image">(model.entry, model.template, pool, timings) };
}

beforeAll(async () => {
  [a, b] = await Promise.all([startFakeComfyUI({ stepMs: 2 }), startFakeComfyUI({ stepMs: 2 })]);
  model = (await loadComfyWorkflows(EXAMPLES)).find((m) => m.entry.id === "comfyui:sdxl-base") as ComfyModel;
});
// Each test starts from empty queues (restart forgets them and lets execution run).
afterEach(() => {
  a.restart();
  b.restart();
});
afterAll(async () => Promise.all([a?.close(), b?.close()]));

const params = (): ImageParams =>
  ({ ...imageParamsSchema.parse({ prompt: "a harbour", size: "1024x1024" }), steps: 10 }) as ImageParams;
let jobs = 0;
const newJob = () => `pool-${process.pid}-${++jobs}`;

describe("several ComfyUI instances", () => {
  it("sends each job to the instance with the shortest queue", async () => {
    a.hold();
    b.hold();
    const onlyA = providerOn([a.url]).provider;
    await onlyA.submit(params(), recordingContext(newJob()));
    await onlyA.submit(params(), recordingContext(newJob()));
    const { provider } = providerOn([a.url, b.url]);
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      placed.push(String((await provider.submit(params(), recordingContext(newJob()))).instance));
    }
    // A had 2 queued, B none: B takes the next two; with 2 and 2 the ties alternate.
    expect(placed.slice(0, 2)).toEqual([b.url, b.url]);
    expect(placed.filter((url) => url === a.url)).toHaveLength(1);
    expect(placed.filter((url) => url === b.url)).toHaveLength(3);
  });

  it("skips an instance that fails its health check, and fails only when none answers", async () => {
    await a.down();
    try {
      const { pool, provider } = providerOn([a.url, b.url]);
      const healthy = await pool.healthy();
      expect(healthy.map((h) => h.instance.name)).toEqual([b.url]);
      const handle = await provider.submit(params(), recordingContext(newJob()));
      expect(handle.instance).toBe(b.url);
      await b.down();
      const none = await rejection(provider.submit(params(), recordingContext(newJob())));
      expect((none as ProviderError).kind).toBe("transient");
      expect(none.message).toContain("No ComfyUI instance is reachable");
      expect(none.message).toContain(a.url);
    } finally {
      await Promise.all([a.up(), b.up()]);
    }
  });

  it("skips an instance that accepts connections but does not answer within HEALTH_TIMEOUT_MS", async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const { pool } = providerOn([silentUrl, b.url]);
      expect((await pool.healthy()).map((h) => h.instance.name)).toEqual([b.url]);
    } finally {
      for (const socket of held) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("moves queued (never started) work off an instance that goes down; running work waits for it", async () => {
    a.hold();
    const timings = { pollMs: 20, instanceDownAfterMs: 150 };
    const { provider } = providerOn([a.url], timings);
    const runningCtx = recordingContext(newJob());
    const queuedCtx = recordingContext(newJob());
    const running = await provider.submit(params(), runningCtx);
    const queued = await provider.submit(params(), queuedCtx);
    await until(() => a.runningId() === running.id, "A to run the first prompt");

    const both = providerOn([a.url, b.url], timings).provider;
    const waitQueued = rejection(both.wait(queued, params(), queuedCtx));
    const waitRunning = rejection(both.wait(running, params(), runningCtx));
    await until(() => queuedCtx.reports.some((r) => r.providerStatus === "pending"), "the queued prompt to be seen");
    await until(() => runningCtx.reports.some((r) => r.providerStatus === "running"), "the running prompt to be seen");
    await a.down();

    const moved = await waitQueued;
    expect(moved).toBeInstanceOf(InstanceDownError);
    expect(moved).toBeInstanceOf(RemoteLostError);
    expect(moved).toMatchObject({ instance: a.url, remoteId: queued.id, reason: "instance_down" });
    const stalled = await waitRunning;
    expect(stalled).not.toBeInstanceOf(RemoteLostError);
    expect((stalled as ProviderError).kind).toBe("transient");

    // The pipeline re-submits the moved job: it lands on B and completes there, once.
    const again = await both.submit(params(), queuedCtx);
    expect(again.instance).toBe(b.url);
    expect((await both.wait(again, params(), queuedCtx)).files).toHaveLength(1);
    expect(b.promptsFor(queuedCtx.jobId)).toBe(1);

    // A comes back with its old queue: the moved prompt is removed there at the next submission.
    await a.up();
    a.hold();
    expect(a.pendingIds()).toContain(queued.id);
    await both.submit(params(), recordingContext(newJob()));
    expect(a.pendingIds()).not.toContain(queued.id);
  });
});
