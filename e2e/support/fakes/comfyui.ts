import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import { type WebSocket, WebSocketServer } from "ws";
import { executionOrder, type Graph, linked, makeMp4, makePng, type Value, validateGraph } from "./comfyui-graph";
import type { Recorded } from "./server";

/**
 * A stand-in for one ComfyUI instance (server.py + execution.py), speaking
 * its HTTP and websocket protocol to Sorami's ComfyUI provider:
 *
 * - `POST /prompt` validates like validate_prompt (unknown node class,
 *   missing inputs, a checkpoint it does not have, an image never uploaded)
 *   and answers `{prompt_id, number, node_errors}` or 400 `{error, node_errors}`;
 *   it honours a caller's `prompt_id`, as ComfyUI does.
 * - A real queue: one prompt runs at a time, lowest number first; `GET /queue`,
 *   `GET /prompt`, `POST /queue {delete}`, `POST /interrupt [{prompt_id}]`.
 * - Execution sends the queuing client_id `execution_start`, `executing`,
 *   `progress` (each sampler step), binary previews (type 1 and type 4
 *   frames), `executed`, `execution_success` / `execution_error` /
 *   `execution_interrupted`, then `executing {node: null}`; outputs are
 *   real PNGs (and MP4s) served by `GET /view`; `GET /history/{id}`.
 * - `POST /upload/image` (multipart), `GET /system_stats`, both with and
 *   without the `/api` prefix.
 *
 * Prompt markers: `[oom]` → execution_error torch.OutOfMemoryError,
 * `[error]` → execution_error RuntimeError. Controls: hold/release (the
 * running prompt freezes before its next sampler step; others wait queued),
 * restart (forget queue and history, as ComfyUI does), down/up (stop
 * answering, then come back on the same port with the queue it had).
 */
export type FakeComfyUI = {
  url: string;
  requests: Recorded[];
  /** POST /prompt bodies that were queued, per Sorami job (extra_data.sorami_job_id). */
  promptsFor(jobId: string): number;
  runningId(): string | undefined;
  pendingIds(): string[];
  /** Whether a websocket with this clientId is open. */
  connected(clientId: string): boolean;
  hold(): void;
  release(): void;
  restart(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
};

export type FakeComfyOptions = {
  /** Milliseconds per sampler step. */
  stepMs?: number;
  checkpoints?: string[];
  /** A header every request and websocket upgrade must carry (a proxy's token), else 401. */
  requireHeader?: { name: string; value: string };
};

type Item = { number: number; id: string; prompt: Graph; extra: Record<string, unknown>; outputs: string[] };
type FileRef = { filename: string; subfolder: string; type: string };
class Interrupted extends Error {}
class NodeFailure extends Error {
  constructor(
    readonly node: string,
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startFakeComfyUI(options: FakeComfyOptions = {}): Promise<FakeComfyUI> {
  const stepMs = options.stepMs ?? 10;
  const checkpoints = options.checkpoints ?? ["sd_xl_base_1.0.safetensors"];
  const requests: Recorded[] = [];
  const sockets = new Map<string, WebSocket>();
  const inputs = new Map<string, Buffer>();
  const files = new Map<string, Buffer>();
  let queue: Item[] = [];
  let history: Record<string, unknown> = {};
  let running: Item | undefined;
  let lastNode: string | null = null;
  let interrupted = false;
  let generation = 0;
  let counter = 0;
  let fileCounter = 0;
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const jobPosts = new Map<string, number>();

  const frames = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * i, g: 90, b: 200 - 40 * i } } })
        .jpeg()
        .toBuffer(),
    ),
  );

  const send = (cid: unknown, type: string, data: unknown) => {
    const ws = typeof cid === "string" ? sockets.get(cid) : undefined;
    ws?.send(JSON.stringify({ type, data }));
  };
  const sendPreview = (cid: unknown, promptId: string, node: string, step: number) => {
    const ws = typeof cid === "string" ? sockets.get(cid) : undefined;
    const image = frames[step % frames.length] as Buffer;
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
  };
  const queueRemaining = () => queue.length + (running ? 1 : 0);
  const broadcastStatus = () => {
    for (const ws of sockets.values()) {
      ws.send(
        JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: queueRemaining() } } } }),
      );
    }
  };
  const asTuple = (i: Item) => [i.number, i.id, i.prompt, i.extra, i.outputs];

  /** One sampler step's wait: the step time, then any hold; throws once interrupted. */
  async function tick(gen: number) {
    await sleep(stepMs);
    while (gate) {
      await gate.promise;
    }
    if (gen !== generation) {
      throw new Interrupted("restarted");
    }
    if (interrupted) {
      throw new Interrupted("interrupted");
    }
  }

  async function execute(item: Item, gen: number): Promise<Record<string, Record<string, unknown>>> {
    const cid = item.extra.client_id;
    const values = new Map<string, Value>();
    const ui: Record<string, Record<string, unknown>> = {};
    const g = item.prompt;
    for (const id of executionOrder(g, item.outputs)) {
      const node = g[id] as { class_type: string; inputs: Record<string, unknown> };
      const inp = node.inputs;
      lastNode = id;
      send(cid, "executing", { node: id, display_node: id, prompt_id: item.id });
      const from = (name: string) => linked(g, values, id, name);
      switch (node.class_type) {
        case "CLIPTextEncode":
          values.set(id, { width: 0, height: 0, batch: 1, text: String(inp.text) });
          break;
        case "EmptyLatentImage":
          values.set(id, { width: Number(inp.width), height: Number(inp.height), batch: Number(inp.batch_size) });
          break;
        case "LoadImage": {
          const source = inputs.get(String(inp.image)) as Buffer;
          const meta = await sharp(source).metadata();
          values.set(id, { width: meta.width ?? 0, height: meta.height ?? 0, batch: 1, source });
          break;
        }
        case "ImageScale": {
          const v = from("image");
          values.set(id, { ...(v as Value), width: Number(inp.width), height: Number(inp.height) });
          break;
        }
        case "VAEEncode":
        case "VAEDecode":
          values.set(id, { ...(from(node.class_type === "VAEEncode" ? "pixels" : "samples") as Value) });
          break;
        case "RepeatLatentBatch": {
          const v = from("samples") as Value;
          values.set(id, { ...v, batch: v.batch * Number(inp.amount) });
          break;
        }
        case "KSampler": {
          const text = from("positive")?.text ?? "";
          const steps = Number(inp.steps);
          for (let step = 1; step <= steps; step++) {
            await tick(gen);
            if (text.includes("[oom]") && step === 2) {
              throw new NodeFailure(
                id,
                "torch.OutOfMemoryError",
                "Allocation on device 0 would exceed allowed memory.",
              );
            }
            if (text.includes("[error]") && step === 2) {
              throw new NodeFailure(
                id,
                "RuntimeError",
                "mat1 and mat2 shapes cannot be multiplied (77x2048 and 768x320)",
              );
            }
            send(cid, "progress", { value: step, max: steps, prompt_id: item.id, node: id });
            sendPreview(cid, item.id, id, step);
          }
          values.set(id, { ...(from("latent_image") as Value), seed: Number(inp.seed), text });
          break;
        }
        case "CreateVideo":
          values.set(id, { ...(from("images") as Value), fps: Number(inp.fps) });
          break;
        case "SaveImage":
        case "PreviewImage":
        case "SaveAnimatedWEBP":
        case "SaveVideo": {
          const v = from(node.class_type === "SaveVideo" ? "video" : "images") as Value;
          const type = node.class_type === "PreviewImage" ? "temp" : "output";
          const refs: FileRef[] = [];
          const animated = node.class_type === "SaveVideo" || node.class_type === "SaveAnimatedWEBP";
          const count = animated ? 1 : v.batch;
          for (let i = 0; i < count; i++) {
            const ext = { SaveVideo: "mp4", SaveAnimatedWEBP: "webp" }[node.class_type as string] ?? "png";
            // SaveImage's filename_prefix may name a subfolder: "sorami/sdxl" → sorami/sdxl_00001_.png.
            const parts = String(inp.filename_prefix ?? "ComfyUI").split("/");
            const base = parts.pop() ?? "ComfyUI";
            const filename = `${base}_${String(++fileCounter).padStart(5, "0")}_.${ext}`;
            const ref = { filename, subfolder: parts.join("/"), type };
            const bytes =
              ext === "mp4"
                ? await makeMp4(v)
                : ext === "webp"
                  ? await sharp(await makePng(v, i))
                      .webp()
                      .toBuffer()
                  : await makePng(v, i);
            files.set(`${type}/${ref.subfolder}/${filename}`, bytes);
            refs.push(ref);
          }
          ui[id] = animated ? { images: refs, animated: [true] } : { images: refs };
          send(cid, "executed", { node: id, display_node: id, output: ui[id], prompt_id: item.id });
          break;
        }
        default:
          values.set(id, { width: 0, height: 0, batch: 1 });
      }
    }
    return ui;
  }

  async function pump() {
    if (running || queue.length === 0) {
      return;
    }
    queue.sort((a, b) => a.number - b.number);
    const item = queue.shift() as Item;
    const gen = generation;
    running = item;
    interrupted = false;
    broadcastStatus();
    const cid = item.extra.client_id;
    const messages: [string, unknown][] = [];
    const note = (type: string, data: Record<string, unknown>) => {
      const full = { ...data, prompt_id: item.id, timestamp: Date.now() };
      messages.push([type, full]);
      send(cid, type, full);
    };
    note("execution_start", {});
    note("execution_cached", { nodes: [] });
    let outputs: Record<string, unknown> = {};
    let status: Record<string, unknown>;
    try {
      outputs = await execute(item, gen);
      note("execution_success", {});
      status = { status_str: "success", completed: true, messages };
    } catch (error) {
      if (gen !== generation) {
        return;
      }
      const node = error instanceof NodeFailure ? error.node : (lastNode ?? "");
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
    if (gen !== generation) {
      return;
    }
    history[item.id] = { prompt: asTuple(item), outputs, status, meta: {} };
    send(cid, "executing", { node: null, prompt_id: item.id });
    running = undefined;
    lastNode = null;
    broadcastStatus();
    void pump();
  }

  type Reply = { status: number; json?: unknown; body?: Buffer; type?: string };
  async function handle(req: Recorded, url: URL, raw: Buffer): Promise<Reply> {
    const route = `${req.method} ${url.pathname.replace(/^\/api(?=\/)/, "")}`;
    if (route === "GET /system_stats") {
      return {
        status: 200,
        json: {
          system: { os: "posix", comfyui_version: "0.3.60", python_version: "3.12", embedded_python: false, argv: [] },
          devices: [{ name: "cuda:0 Fake GPU", type: "cuda", index: 0, vram_total: 24e9, vram_free: 20e9 }],
        },
      };
    }
    if (route === "GET /prompt") {
      return { status: 200, json: { exec_info: { queue_remaining: queueRemaining() } } };
    }
    if (route === "GET /queue") {
      return {
        status: 200,
        json: { queue_running: running ? [asTuple(running)] : [], queue_pending: queue.map(asTuple) },
      };
    }
    if (req.method === "GET" && url.pathname.replace(/^\/api/, "").startsWith("/history/")) {
      const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
      return { status: 200, json: id in history ? { [id]: history[id] } : {} };
    }
    if (route === "POST /history") {
      for (const id of (req.body?.delete as string[] | undefined) ?? []) {
        delete history[id];
      }
      return { status: 200, body: Buffer.alloc(0) };
    }
    if (route === "POST /prompt") {
      const body = req.body ?? {};
      if (!body.prompt) {
        return {
          status: 400,
          json: {
            error: { type: "no_prompt", message: "No prompt provided", details: "No prompt provided", extra_info: {} },
            node_errors: {},
          },
        };
      }
      const valid = validateGraph(body.prompt, { checkpoints, inputs: new Set(inputs.keys()) });
      if ("status" in valid) {
        return valid;
      }
      const id = String(body.prompt_id ?? randomUUID());
      const number = counter++;
      const extra = { ...(body.extra_data ?? {}), ...(body.client_id ? { client_id: body.client_id } : {}) };
      const job = extra.sorami_job_id;
      if (typeof job === "string") {
        jobPosts.set(job, (jobPosts.get(job) ?? 0) + 1);
      }
      queue.push({ number, id, prompt: body.prompt, extra, outputs: valid.outputs });
      broadcastStatus();
      void pump();
      return { status: 200, json: { prompt_id: id, number, node_errors: {} } };
    }
    if (route === "POST /queue") {
      const ids = new Set<string>((req.body?.delete as string[] | undefined) ?? []);
      queue = req.body?.clear ? [] : queue.filter((i) => !ids.has(i.id));
      broadcastStatus();
      return { status: 200, body: Buffer.alloc(0) };
    }
    if (route === "POST /interrupt") {
      const target = req.body?.prompt_id;
      if (running && (!target || target === running.id)) {
        interrupted = true;
      }
      return { status: 200, body: Buffer.alloc(0) };
    }
    if (route === "POST /upload/image") {
      const form = await new Request("http://fake/upload", {
        method: "POST",
        headers: { "content-type": String(req.headers["content-type"]) },
        body: new Uint8Array(raw),
      }).formData();
      const image = form.get("image");
      if (!(image instanceof Blob) || !("name" in image) || !image.name) {
        return { status: 400, body: Buffer.alloc(0) };
      }
      const subfolder = String(form.get("subfolder") ?? "");
      const name = image.name as string;
      inputs.set(subfolder ? `${subfolder}/${name}` : name, Buffer.from(await image.arrayBuffer()));
      return { status: 200, json: { name, subfolder, type: "input" } };
    }
    if (route === "GET /view") {
      const filename = url.searchParams.get("filename") ?? "";
      if (!filename || filename.startsWith("/") || filename.includes("..")) {
        return { status: 400, body: Buffer.alloc(0) };
      }
      const key = `${url.searchParams.get("type") ?? "output"}/${url.searchParams.get("subfolder") ?? ""}/${filename}`;
      const file = files.get(key);
      return file
        ? {
            status: 200,
            body: file,
            type: filename.endsWith(".mp4") ? "video/mp4" : `image/${filename.split(".").pop()}`,
          }
        : { status: 404, body: Buffer.alloc(0) };
    }
    return { status: 404, body: Buffer.from("404: Not Found") };
  }

  const authorized = (headers: http.IncomingHttpHeaders) =>
    !options.requireHeader || headers[options.requireHeader.name.toLowerCase()] === options.requireHeader.value;

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    let body: unknown = null;
    if (String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {}
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded: Recorded = { method: req.method ?? "GET", path: url.pathname, headers: req.headers, body };
    requests.push(recorded);
    if (!authorized(req.headers)) {
      res.writeHead(401, { "content-type": "text/plain" }).end("401: Unauthorized");
      return;
    }
    const reply: Reply = await handle(recorded, url, raw).catch((e: Error) => ({
      status: 500,
      body: Buffer.from(`500: ${e.message}`),
    }));
    const payload = reply.json !== undefined ? Buffer.from(JSON.stringify(reply.json)) : reply.body;
    res.writeHead(reply.status, {
      "content-type": reply.json !== undefined ? "application/json" : (reply.type ?? "text/plain"),
      "content-length": String(payload?.length ?? 0),
    });
    res.end(payload);
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket: Duplex, head) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (!/^(\/api)?\/ws$/.test(url.pathname) || !authorized(req.headers)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sid = url.searchParams.get("clientId") || randomUUID().replaceAll("-", "");
      sockets.get(sid)?.terminate();
      sockets.set(sid, ws);
      ws.on("close", () => {
        if (sockets.get(sid) === ws) {
          sockets.delete(sid);
        }
      });
      ws.send(
        JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: queueRemaining() } }, sid } }),
      );
      if (running?.extra.client_id === sid && lastNode) {
        ws.send(JSON.stringify({ type: "executing", data: { node: lastNode } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const dropSockets = () => {
    for (const ws of sockets.values()) {
      ws.terminate();
    }
    sockets.clear();
  };
  const forget = () => {
    generation++;
    queue = [];
    history = {};
    running = undefined;
    lastNode = null;
    dropSockets();
  };
  const hold = () => {
    if (!gate) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open };
    }
  };
  const release = () => {
    const g = gate;
    gate = undefined;
    g?.open();
    void pump();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    promptsFor: (jobId) => jobPosts.get(jobId) ?? 0,
    runningId: () => running?.id,
    pendingIds: () => queue.map((i) => i.id),
    connected: (clientId) => sockets.has(clientId),
    hold,
    release,
    restart: () => {
      forget();
      release();
    },
    down: async () => {
      hold();
      dropSockets();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    up: async () => {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      release();
    },
    close: async () => {
      forget();
      release();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
