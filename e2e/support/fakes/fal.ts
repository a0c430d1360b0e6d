import { randomBytes } from "node:crypto";
import { cachedMp4, createRunBook, FILE_TTL_MS, makeImage, type Run, type RunBook, sizeForRatio } from "./remote-jobs";
import { bodyAs, type FakeServer, type Recorded, type Reply, startFakeServer, withBody } from "./server";

/**
 * A stand-in for fal's queue API (queue.fal.run), speaking the REST shapes
 * the official @fal-ai/client uses (read from fal-ai/fal-js
 * libs/client/src/queue.ts and fal's Queue API reference):
 *
 * - `POST /{owner}/{app}[/{path}]` with `Authorization: Key <key>`, the body
 *   being the model's input → `{request_id, status: "IN_QUEUE",
 *   queue_position, response_url, status_url, cancel_url}`;
 * - `GET /{owner}/{app}/requests/{id}/status?logs=1` → 202 `IN_QUEUE`
 *   (`queue_position`) or `IN_PROGRESS` (`logs: [{message, level, source,
 *   timestamp}]`), 200 `COMPLETED`; 404 for an unknown id;
 * - `GET /{owner}/{app}/requests/{id}` → the model's output (images:
 *   `{images: [{url, width, height, content_type}], seed,
 *   has_nsfw_concepts}`; video apps: `{video: {url, content_type}}`), or its
 *   error: 422 `{detail: [{loc, msg, type: "content_policy_violation"}]}`
 *   for a blocked prompt, 500 `{detail}` for a failed run;
 * - `PUT /{owner}/{app}/requests/{id}/cancel` → 202 `CANCELLATION_REQUESTED`,
 *   400 `ALREADY_COMPLETED`, 404 `NOT_FOUND`;
 * - `GET /files/{name}`: the output files (fal's CDN), 404 once expired.
 *
 * Status, result and cancel use the app without its path, as fal documents.
 */
export type FakeFal = FakeServer &
  RunBook & { key: string; submitted(): Recorded<Partial<Record<string, unknown>>>[]; cancels(): Recorded[] };

const QUEUE_PATH = /^\/([^/]+)\/([^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/;

export async function startFakeFal(key = `fal-test-${randomBytes(6).toString("hex")}`): Promise<FakeFal> {
  const book = createRunBook();
  const apps = new Map<string, string>();
  let base = "";

  const urls = (app: string, id: string) => {
    const [owner, alias] = app.split("/");
    const at = `${base}/${owner}/${alias}/requests/${id}`;
    return { response_url: at, status_url: `${at}/status`, cancel_url: `${at}/cancel` };
  };

  async function outputsOf(run: Run, app: string): Promise<string[]> {
    const root = run.scenario.outputBase ?? base;
    const ttl = run.scenario.fileTtlMs ?? FILE_TTL_MS;
    if (app.includes("video")) {
      const seconds = Number(run.input.duration ?? 5);
      return [
        root +
          book.shelve(await cachedMp4(sizeForRatio(String(run.input.aspect_ratio ?? "16:9")), seconds), "mp4", ttl),
      ];
    }
    const size = (run.input.image_size ?? { width: 64, height: 48 }) as { width: number; height: number };
    const format = run.input.output_format === "png" ? "png" : "jpeg";
    const n = Number(run.input.num_images ?? 1);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      out.push(root + book.shelve(await makeImage(size.width, size.height, format, i), format, ttl));
    }
    return out;
  }

  function resultOf(run: Run, app: string): Reply {
    const done = book.peek(run);
    if (!done || done.state === "queued" || done.state === "running") {
      return { status: 400, json: { detail: "Request is still in progress" } };
    }
    if (done.state === "blocked") {
      return {
        status: 422,
        json: {
          detail: [
            {
              loc: ["body", "prompt"],
              msg: done.message,
              type: "content_policy_violation",
              url: "https://docs.fal.ai/errors#content_policy_violation",
              input: run.prompt,
            },
          ],
        },
      };
    }
    if (done.state === "failed") {
      return { status: 500, json: { detail: done.message } };
    }
    if (done.state === "canceled") {
      return { status: 400, json: { detail: "Request was cancelled" } };
    }
    if (app.includes("video")) {
      return { status: 200, json: { video: { url: done.outputs[0], content_type: "video/mp4" } } };
    }
    const size = (run.input.image_size ?? { width: 64, height: 48 }) as { width: number; height: number };
    return {
      status: 200,
      json: {
        images: done.outputs.map((url) => ({ url, ...size, content_type: "image/jpeg" })),
        timings: { inference: 0.4 },
        seed: Number(run.input.seed ?? 42),
        has_nsfw_concepts: done.outputs.map(() => run.scenario.flagAll === true),
        prompt: run.prompt,
      },
    };
  }

  async function status(run: Run, app: string): Promise<Reply> {
    const state = await book.poll(run, (r) => outputsOf(r, app));
    const common = { request_id: run.id, ...urls(app, run.id) };
    if (state.state === "queued") {
      return { status: 202, json: { status: "IN_QUEUE", queue_position: state.position, ...common } };
    }
    if (state.state === "running") {
      const logs = state.logs.map((message) => ({
        message,
        level: "INFO",
        source: "USER",
        timestamp: new Date().toISOString(),
      }));
      return { status: 202, json: { status: "IN_PROGRESS", logs, ...common } };
    }
    return { status: 200, json: { status: "COMPLETED", logs: [], metrics: { inference_time: 0.4 }, ...common } };
  }

  const server = await startFakeServer(async (req, url) => {
    const file = req.method === "GET" ? book.serveFile(url.pathname) : null;
    if (file) {
      return file;
    }
    if (req.headers.authorization !== `Key ${key}`) {
      return { status: 401, json: { detail: "Invalid Key Authorization header format" } };
    }
    const m = QUEUE_PATH.exec(url.pathname);
    if (m) {
      const [, owner, alias, id, tail] = m;
      const run = book.runs.get(id ?? "");
      const app = run ? apps.get(run.id) : undefined;
      if (!run || !app?.startsWith(`${owner}/${alias}`)) {
        return { status: 404, json: { status: "NOT_FOUND", detail: "Request not found" } };
      }
      if (req.method === "GET" && tail === "/status") {
        return status(run, app);
      }
      if (req.method === "GET" && !tail) {
        return resultOf(run, app);
      }
      if (req.method === "PUT" && tail === "/cancel") {
        const done = book.peek(run);
        if (done) {
          return { status: 400, json: { status: "ALREADY_COMPLETED" } };
        }
        run.canceled = true;
        return { status: 202, json: { status: "CANCELLATION_REQUESTED" } };
      }
    }
    if (req.method === "POST" && url.pathname.split("/").length >= 3) {
      const app = url.pathname.slice(1);
      const input = bodyAs<Record<string, unknown>>(req.body);
      if (typeof input.prompt !== "string" || !input.prompt) {
        return { status: 422, json: { detail: [{ loc: ["body", "prompt"], msg: "Field required", type: "missing" }] } };
      }
      const submitted = book.submit(input.prompt, input);
      if ("limited" in submitted) {
        return submitted.limited;
      }
      apps.set(submitted.run.id, app);
      return {
        status: 200,
        json: { status: "IN_QUEUE", request_id: submitted.run.id, queue_position: 0, ...urls(app, submitted.run.id) },
      };
    }
    return { status: 404, json: { detail: `No route ${req.method} ${url.pathname}` } };
  });
  base = server.url;
  return {
    ...server,
    ...book,
    key,
    submitted: () => server.requests.filter((r) => r.method === "POST").map(withBody<Record<string, unknown>>),
    cancels: () => server.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/cancel")),
  };
}
