import { randomBytes } from "node:crypto";
import { cachedMp4, createRunBook, FILE_TTL_MS, makeImage, type Run, type RunBook, type RunState } from "./remote-jobs";
import { bodyAs, type FakeServer, type Recorded, type Reply, startFakeServer, withBody } from "./server";

/** A prediction's creation body (Replicate's documented names). */
type ReplicateCreate = { version: string; input: Record<string, unknown> };

/**
 * A stand-in for Replicate's HTTP API (api.replicate.com/v1), speaking the
 * shapes the official `replicate` client uses (replicate/replicate-javascript
 * lib/predictions.js, Replicate's HTTP API reference):
 *
 * - `POST /v1/models/{owner}/{name}/predictions` `{input}` and
 *   `POST /v1/predictions` `{version, input}` with `Authorization: Bearer
 *   <token>` → 201 prediction `{id, model, version, input, status:
 *   "starting", logs, output, error, urls: {get, cancel}, …}`;
 * - `GET /v1/predictions/{id}` → the prediction: `starting` while queued,
 *   `processing` with `logs` (tqdm lines), then `succeeded` with `output` (a
 *   URL, or a list of URLs when the model makes several), `failed` with
 *   `error`, or `canceled`; 404 `{detail: "Not found."}` for an unknown id;
 * - `POST /v1/predictions/{id}/cancel` → the prediction, `canceled`;
 * - 429 `{detail, retry_after}` with `Retry-After` when throttled;
 * - `GET /files/{name}`: outputs (replicate.delivery), 404 once expired.
 */
export type FakeReplicate = FakeServer &
  RunBook & { token: string; creates(): Recorded<Partial<ReplicateCreate>>[]; cancels(): Recorded[] };

const RATIOS: Record<string, [number, number]> = {
  "1:1": [1, 1],
  "16:9": [16, 9],
  "9:16": [9, 16],
  "4:3": [4, 3],
  "3:4": [3, 4],
  "3:2": [3, 2],
  "2:3": [2, 3],
};

export async function startFakeReplicate(token = `r8_${randomBytes(10).toString("hex")}`): Promise<FakeReplicate> {
  const book = createRunBook();
  const meta = new Map<string, { model: string; version: string; created: string }>();
  let base = "";

  async function outputsOf(run: Run, model: string): Promise<string[]> {
    const root = run.scenario.outputBase ?? base;
    const ttl = run.scenario.fileTtlMs ?? FILE_TTL_MS;
    if (model.includes("video")) {
      return [root + book.shelve(await cachedMp4("320x180", 6), "mp4", ttl)];
    }
    const [a, b] = RATIOS[String(run.input.aspect_ratio ?? "1:1")] ?? [1, 1];
    const format = String(run.input.output_format ?? "webp");
    const type = format === "jpg" ? "jpeg" : format === "png" ? "png" : "webp";
    const out: string[] = [];
    for (let i = 0; i < Number(run.input.num_outputs ?? 1); i++) {
      out.push(root + book.shelve(await makeImage(32 * a, 32 * b, type, i), type, ttl));
    }
    return out;
  }

  function prediction(run: Run, state: RunState | null): Record<string, unknown> {
    const m = meta.get(run.id);
    const many = run.input.num_outputs !== undefined;
    const at = `${base}/v1/predictions/${run.id}`;
    const common = {
      id: run.id,
      model: m?.model,
      version: m?.version,
      input: run.input,
      source: "api",
      data_removed: false,
      created_at: m?.created,
      urls: { get: at, cancel: `${at}/cancel`, web: `https://replicate.com/p/${run.id}` },
      logs: "",
      output: null,
      error: null,
    };
    if (!state || state.state === "queued") {
      return { ...common, status: "starting" };
    }
    if (state.state === "running") {
      return { ...common, status: "processing", logs: state.logs.join("\n"), started_at: m?.created };
    }
    const done = { ...common, started_at: m?.created, completed_at: new Date().toISOString() };
    if (state.state === "succeeded") {
      return {
        ...done,
        status: "succeeded",
        output: many ? state.outputs : state.outputs[0],
        metrics: { predict_time: 0.7 },
      };
    }
    if (state.state === "canceled") {
      return { ...done, status: "canceled" };
    }
    return { ...done, status: "failed", error: state.message };
  }

  function create(model: string, version: string, body: Partial<ReplicateCreate>): Reply {
    const input = body.input ?? {};
    if (typeof input.prompt !== "string") {
      return {
        status: 422,
        json: { title: "Input validation failed", detail: "- input: prompt is required", status: 422 },
      };
    }
    const submitted = book.submit(input.prompt, input);
    if ("limited" in submitted) {
      return submitted.limited;
    }
    meta.set(submitted.run.id, { model, version, created: new Date().toISOString() });
    return { status: 201, json: prediction(submitted.run, null) };
  }

  const server = await startFakeServer(async (req, url) => {
    const file = req.method === "GET" ? book.serveFile(url.pathname) : null;
    if (file) {
      return file;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      return {
        status: 401,
        json: { title: "Unauthenticated", detail: "You did not pass a valid authentication token", status: 401 },
      };
    }
    const byModel = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(url.pathname);
    if (req.method === "POST" && byModel) {
      return create(`${byModel[1]}/${byModel[2]}`, "hidden", bodyAs<ReplicateCreate>(req.body));
    }
    if (req.method === "POST" && url.pathname === "/v1/predictions") {
      const body = bodyAs<ReplicateCreate>(req.body);
      const version = String(body.version ?? "");
      return create(`version/${version.slice(0, 8)}`, version, body);
    }
    const one = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(url.pathname);
    const run = one ? book.runs.get(one[1] ?? "") : undefined;
    if (one && !run) {
      return { status: 404, json: { detail: "Not found.", status: 404 } };
    }
    if (run && req.method === "GET" && !one?.[2]) {
      const state = await book.poll(run, (r) => outputsOf(r, meta.get(r.id)?.model ?? ""));
      return { status: 200, json: prediction(run, state) };
    }
    if (run && req.method === "POST" && one?.[2]) {
      if (!book.peek(run)) {
        run.canceled = true;
      }
      return { status: 200, json: prediction(run, book.peek(run) ?? { state: "canceled" }) };
    }
    return { status: 404, json: { detail: "Not found.", status: 404 } };
  });
  base = server.url;
  return {
    ...server,
    ...book,
    token,
    creates: () =>
      server.requests.filter((r) => r.method === "POST" && !r.path.endsWith("/cancel")).map(withBody<ReplicateCreate>),
    cancels: () => server.requests.filter((r) => r.method === "POST" && r.path.endsWith("/cancel")),
  };
}
