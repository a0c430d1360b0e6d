import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import type { WebSocket } from "ws";
import { executePrompt, Interrupted, type Item, NodeFailure } from "./comfyui-exec";
import type { Graph } from "./comfyui-graph";

/**
 * The stand-in's PromptQueue (execution.py) and the server's messaging
 * (server.py send_sync): one prompt runs at a time, lowest number first; its
 * events go to the client_id that queued it; history is written when it ends.
 */
export class FakePromptQueue {
  pending: Item[] = [];
  history: Record<string, unknown> = {};
  running: Item | undefined;
  lastNode: string | null = null;
  readonly inputs = new Map<string, Buffer>();
  readonly files = new Map<string, Buffer>();
  readonly jobPosts = new Map<string, number>();
  private interrupted = false;
  private generation = 0;
  private counter = 0;
  private fileCounter = 0;
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  private constructor(
    private readonly sockets: Map<string, WebSocket>,
    private readonly stepMs: number,
    private readonly frames: Buffer[],
  ) {}

  static async create(sockets: Map<string, WebSocket>, stepMs: number): Promise<FakePromptQueue> {
    const frames = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * i, g: 90, b: 200 - 40 * i } } })
          .jpeg()
          .toBuffer(),
      ),
    );
    return new FakePromptQueue(sockets, stepMs, frames);
  }

  remaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  static tuple(i: Item): unknown[] {
    return [i.number, i.id, i.prompt, i.extra, i.outputs];
  }

  private send(cid: unknown, type: string, data: unknown) {
    const ws = typeof cid === "string" ? this.sockets.get(cid) : undefined;
    ws?.send(JSON.stringify({ type, data }));
  }

  /** Alternates the two preview framings: type 1 `[1][JPEG=1][image]`, type 4 `[4][len][metadata][image]`. */
  private sendPreview(cid: unknown, promptId: string, node: string, step: number) {
    const ws = typeof cid === "string" ? this.sockets.get(cid) : undefined;
    const image = this.frames[step % this.frames.length] as Buffer;
    const head = Buffer.alloc(8);
    if (step % 2 === 1) {
      head.writeUInt32BE(1, 0);
      head.writeUInt32BE(1, 4);
      ws?.send(Buffer.concat([head, image]));
    } else {
      const meta = Buffer.from(JSON.stringify({ image_type: "image/jpeg", prompt_id: promptId, node_id: node }));
      head.writeUInt32BE(4, 0);
      head.writeUInt32BE(meta.length, 4);
      ws?.send(Buffer.concat([head, meta, image]));
    }
  }

  broadcastStatus() {
    const message = JSON.stringify({
      type: "status",
      data: { status: { exec_info: { queue_remaining: this.remaining() } } },
    });
    for (const ws of this.sockets.values()) {
      ws.send(message);
    }
  }

  enqueue(prompt: Graph, extra: Record<string, unknown>, outputs: string[], promptId: string) {
    const number = this.counter++;
    const job = extra.sorami_job_id;
    if (typeof job === "string") {
      this.jobPosts.set(job, (this.jobPosts.get(job) ?? 0) + 1);
    }
    this.pending.push({ number, id: promptId, prompt, extra, outputs });
    this.broadcastStatus();
    void this.pump();
    return number;
  }

  /** `POST /interrupt`: the running prompt, when it is `promptId` (or any, without one). */
  interrupt(promptId: unknown) {
    if (this.running && (!promptId || promptId === this.running.id)) {
      this.interrupted = true;
    }
  }

  /** One sampler step's wait: the step time, then any hold; throws once interrupted or restarted. */
  private async tick(generation: number) {
    await sleep(this.stepMs);
    while (this.gate) {
      await this.gate.promise;
    }
    if (generation !== this.generation) {
      throw new Interrupted("restarted");
    }
    if (this.interrupted) {
      throw new Interrupted("interrupted");
    }
  }

  async pump(): Promise<void> {
    if (this.running || this.pending.length === 0) {
      return;
    }
    this.pending.sort((a, b) => a.number - b.number);
    const item = this.pending.shift() as Item;
    const generation = this.generation;
    this.running = item;
    this.interrupted = false;
    this.broadcastStatus();
    const cid = item.extra.client_id;
    const messages: [string, unknown][] = [];
    const note = (type: string, data: Record<string, unknown>) => {
      const full = { ...data, prompt_id: item.id, timestamp: Date.now() };
      messages.push([type, full]);
      this.send(cid, type, full);
    };
    note("execution_start", {});
    note("execution_cached", { nodes: [] });
    let outputs: Record<string, unknown> = {};
    let status: Record<string, unknown>;
    try {
      outputs = await executePrompt(item, {
        send: (type, data) => this.send(cid, type, data),
        preview: (node, step) => this.sendPreview(cid, item.id, node, step),
        tick: () => this.tick(generation),
        onNode: (id) => {
          this.lastNode = id;
        },
        nextFile: () => ++this.fileCounter,
        inputs: this.inputs,
        files: this.files,
      });
      note("execution_success", {});
      status = { status_str: "success", completed: true, messages };
    } catch (error) {
      if (generation !== this.generation) {
        return;
      }
      const node = error instanceof NodeFailure ? error.node : (this.lastNode ?? "");
      const base = { node_id: node, node_type: item.prompt[node]?.class_type, executed: [] };
      if (error instanceof NodeFailure) {
        note("execution_error", {
          ...base,
          exception_message: error.message,
          exception_type: error.exceptionType,
          traceback: [],
          current_inputs: {},
          current_outputs: {},
        });
      } else {
        note("execution_interrupted", base);
      }
      status = { status_str: "error", completed: false, messages };
    }
    if (generation !== this.generation) {
      return;
    }
    this.history[item.id] = { prompt: FakePromptQueue.tuple(item), outputs, status, meta: {} };
    this.send(cid, "executing", { node: null, prompt_id: item.id });
    this.running = undefined;
    this.lastNode = null;
    this.broadcastStatus();
    void this.pump();
  }

  /** What a ComfyUI restart loses: queue, history, the running prompt. */
  forget() {
    this.generation++;
    this.pending = [];
    this.history = {};
    this.running = undefined;
    this.lastNode = null;
  }

  hold() {
    if (!this.gate) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      this.gate = { promise, open };
    }
  }

  release() {
    const gate = this.gate;
    this.gate = undefined;
    gate?.open();
    void this.pump();
  }
}
