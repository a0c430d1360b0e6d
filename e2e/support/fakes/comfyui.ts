import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type Graph, validateGraph } from "./comfyui-graph";
import { FakePromptQueue } from "./comfyui-queue";
import { bodyAs, type Recorded, withBody } from "./server";

/** What ComfyUI's POST /prompt, /queue, /history and /interrupt read (its documented names). */
export type ComfyRequest = {
  prompt: Graph;
  prompt_id: string;
  client_id: string;
  extra_data: Record<string, unknown>;
  delete: string[];
  clear: boolean;
};

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
  /** Every POST /prompt, in order, its body read in ComfyUI's names. */
  posted(): Recorded<Partial<ComfyRequest>>[];
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

export async function startFakeComfyUI(options: FakeComfyOptions = {}): Promise<FakeComfyUI> {
  const stepMs = options.stepMs ?? 10;
  const checkpoints = options.checkpoints ?? ["sd_xl_base_1.0.safetensors"];
  const requests: Recorded[] = [];
  const sockets = new Map<string, WebSocket>();
  const q = await FakePromptQueue.create(sockets, stepMs);

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
      return { status: 200, json: { exec_info: { queue_remaining: q.remaining() } } };
    }
    if (route === "GET /queue") {
      return {
        status: 200,
        json: {
          queue_running: q.running ? [FakePromptQueue.tuple(q.running)] : [],
          queue_pending: q.pending.map(FakePromptQueue.tuple),
        },
      };
    }
    if (req.method === "GET" && url.pathname.replace(/^\/api/, "").startsWith("/history/")) {
      const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
      return { status: 200, json: id in q.history ? { [id]: q.history[id] } : {} };
    }
    if (route === "POST /history") {
      for (const id of bodyAs<ComfyRequest>(req.body).delete ?? []) {
        delete q.history[id];
      }
      return { status: 200, body: Buffer.alloc(0) };
    }
    if (route === "POST /prompt") {
      const body = bodyAs<ComfyRequest>(req.body);
      if (!body.prompt) {
        return {
          status: 400,
          json: {
            error: { type: "no_prompt", message: "No prompt provided", details: "No prompt provided", extra_info: {} },
            node_errors: {},
          },
        };
      }
      const valid = validateGraph(body.prompt, { checkpoints, inputs: new Set(q.inputs.keys()) });
      if ("status" in valid) {
        return valid;
      }
      const id = String(body.prompt_id ?? randomUUID());
      const extra = { ...(body.extra_data ?? {}), ...(body.client_id ? { client_id: body.client_id } : {}) };
      const number = q.enqueue(body.prompt, extra, valid.outputs, id);
      return { status: 200, json: { prompt_id: id, number, node_errors: {} } };
    }
    if (route === "POST /queue") {
      const body = bodyAs<ComfyRequest>(req.body);
      const ids = new Set<string>(body.delete ?? []);
      q.pending = body.clear ? [] : q.pending.filter((i) => !ids.has(i.id));
      q.broadcastStatus();
      return { status: 200, body: Buffer.alloc(0) };
    }
    if (route === "POST /interrupt") {
      q.interrupt(bodyAs<ComfyRequest>(req.body).prompt_id);
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
      q.inputs.set(subfolder ? `${subfolder}/${name}` : name, Buffer.from(await image.arrayBuffer()));
      return { status: 200, json: { name, subfolder, type: "input" } };
    }
    if (route === "GET /view") {
      const filename = url.searchParams.get("filename") ?? "";
      if (!filename || filename.startsWith("/") || filename.includes("..")) {
        return { status: 400, body: Buffer.alloc(0) };
      }
      const key = `${url.searchParams.get("type") ?? "output"}/${url.searchParams.get("subfolder") ?? ""}/${filename}`;
      const file = q.files.get(key);
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
        JSON.stringify({ type: "status", data: { status: { exec_info: { queue_remaining: q.remaining() } }, sid } }),
      );
      if (q.running?.extra.client_id === sid && q.lastNode) {
        ws.send(JSON.stringify({ type: "executing", data: { node: q.lastNode } }));
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
    q.forget();
    dropSockets();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    promptsFor: (jobId) => q.jobPosts.get(jobId) ?? 0,
    posted: () => requests.filter((r) => r.method === "POST" && r.path === "/prompt").map(withBody<ComfyRequest>),
    runningId: () => q.running?.id,
    pendingIds: () => q.pending.map((i) => i.id),
    connected: (clientId) => sockets.has(clientId),
    hold: () => q.hold(),
    release: () => q.release(),
    restart: () => {
      forget();
      q.release();
    },
    down: async () => {
      q.hold();
      dropSockets();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    up: async () => {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      q.release();
    },
    close: async () => {
      forget();
      q.release();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
