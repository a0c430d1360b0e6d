import { randomBytes } from "node:crypto";
import { createRunBook, FILE_TTL_MS, makeImage, type Run, type RunBook } from "./remote-jobs";
import { bodyAs, type FakeServer, type Recorded, startFakeServer, withBody } from "./server";

/**
 * A stand-in for Black Forest Labs' API (api.bfl.ai), speaking the shapes
 * of its API reference (docs.bfl.ai):
 *
 * - `POST /v1/{endpoint}` (flux-pro-1.1, flux-dev…) with `x-key`, JSON input
 *   (prompt, width, height, seed, output_format…) → `{id, polling_url}`;
 * - `GET /v1/get_result?id=` (the polling_url) → `{id, status, result,
 *   progress, details}` with status `Pending`, then `Ready` (`result.sample`:
 *   the image URL, expiring after ~10 minutes), `Error`, `Request
 *   Moderated`, `Content Moderated`; `Task not found` for an unknown id;
 * - 429 `{detail}` when too many requests are active;
 * - `GET /files/{name}`: the sample (BFL's delivery host), 404 once expired.
 *
 * A scenario's `message` "Content Moderated" ends the run in that status
 * (otherwise a block is "Request Moderated"); numeric log lines are reported
 * as `progress`.
 */
export type FakeBfl = FakeServer & RunBook & { key: string; submitted(): Recorded<Partial<Record<string, unknown>>>[] };

export async function startFakeBfl(key = `bfl-${randomBytes(8).toString("hex")}`): Promise<FakeBfl> {
  const book = createRunBook();
  let base = "";

  async function sampleOf(run: Run): Promise<string[]> {
    const root = run.scenario.outputBase ?? base;
    const format = run.input.output_format === "png" ? "png" : "jpeg";
    const image = await makeImage(Number(run.input.width ?? 64), Number(run.input.height ?? 64), format);
    return [root + book.shelve(image, format, run.scenario.fileTtlMs ?? FILE_TTL_MS)];
  }

  const server = await startFakeServer(async (req, url) => {
    const file = req.method === "GET" ? book.serveFile(url.pathname) : null;
    if (file) {
      return file;
    }
    if (req.headers["x-key"] !== key) {
      return { status: 403, json: { detail: "Not authenticated - Invalid Authentication" } };
    }
    if (req.method === "GET" && url.pathname === "/v1/get_result") {
      const run = book.runs.get(url.searchParams.get("id") ?? "");
      if (!run) {
        return { status: 200, json: { id: url.searchParams.get("id"), status: "Task not found", result: null } };
      }
      const state = await book.poll(run, sampleOf);
      const common = { id: run.id, details: null, preview: null };
      if (state.state === "queued") {
        return { status: 200, json: { ...common, status: "Pending", result: null, progress: null } };
      }
      if (state.state === "running") {
        const last = Number(state.logs.at(-1));
        return {
          status: 200,
          json: { ...common, status: "Pending", result: null, progress: Number.isFinite(last) ? last : null },
        };
      }
      if (state.state === "succeeded") {
        return {
          status: 200,
          json: {
            ...common,
            status: "Ready",
            progress: null,
            result: { sample: state.outputs[0], prompt: run.prompt, seed: run.input.seed ?? 1, duration: 1.2 },
          },
        };
      }
      if (state.state === "blocked") {
        const status = state.message === "Content Moderated" ? "Content Moderated" : "Request Moderated";
        return {
          status: 200,
          json: { ...common, status, result: null, details: { "Moderation Reasons": ["Derivative Works Filter"] } },
        };
      }
      return {
        status: 200,
        json: { ...common, status: "Error", result: null, details: { error: "Internal generation error" } },
      };
    }
    const endpoint = /^\/v1\/([a-z0-9.-]+)$/.exec(url.pathname);
    if (req.method === "POST" && endpoint) {
      const input = bodyAs<Record<string, unknown>>(req.body);
      if (typeof input.prompt !== "string") {
        return { status: 422, json: { detail: [{ loc: ["body", "prompt"], msg: "Field required", type: "missing" }] } };
      }
      for (const side of ["width", "height"] as const) {
        const value = input[side];
        if (value !== undefined && (typeof value !== "number" || value % 32 !== 0 || value < 256 || value > 1440)) {
          return {
            status: 422,
            json: { detail: [{ loc: ["body", side], msg: "Input should be a multiple of 32", type: "multiple_of" }] },
          };
        }
      }
      const submitted = book.submit(input.prompt, input);
      if ("limited" in submitted) {
        return { ...submitted.limited, json: { detail: "You have exceeded the number of active tasks." } };
      }
      const id = submitted.run.id;
      return {
        status: 200,
        json: { id, polling_url: `${base}/v1/get_result?id=${id}`, cost: 4, input_mp: 0, output_mp: 1 },
      };
    }
    return { status: 404, json: { detail: "Not Found" } };
  });
  base = server.url;
  return {
    ...server,
    ...book,
    key,
    submitted: () => server.requests.filter((r) => r.method === "POST").map(withBody<Record<string, unknown>>),
  };
}
