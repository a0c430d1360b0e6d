import sharp from "sharp";
import { createRunBook, FILE_TTL_MS } from "./remote-jobs";
import { bodyAs, type FakeServer, type Recorded, startFakeServer } from "./server";

/**
 * A stand-in for an OpenAI-compatible image server (LocalAI, a gateway):
 * `POST /v1/images/generations` `{model, prompt, n, size, response_format}`
 * → `{created, data: [{b64_json} | {url}]}` in OpenAI's Images API shape,
 * `url` answers served by the same server (LocalAI's /generated-images),
 * errors as OpenAI's `{error: {message, type, param, code}}`. It checks a
 * bearer key only when started with one, and knows only `models`. Prompt
 * markers: `[moderation]` 400 content_policy_violation, `[429]` a 429
 * (Retry-After: 1) the first time, `[500]` always 500, `[private-url]` a URL
 * on a private address.
 */
export type FakeCompatible = FakeServer & { key?: string; generations(): Recorded[] };

export async function startFakeCompatible(options: { key?: string; models: string[] }): Promise<FakeCompatible> {
  const shelf = createRunBook();
  const seen = new Set<string>();
  let base = "";
  const error = (status: number, message: string, code: string | null, param: string | null = null) => ({
    status,
    json: { error: { message, type: status >= 500 ? "server_error" : "invalid_request_error", param, code } },
  });
  const server = await startFakeServer(async (req, url) => {
    const file = req.method === "GET" ? shelf.serveFile(url.pathname) : null;
    if (file) {
      return file;
    }
    if (options.key && req.headers.authorization !== `Bearer ${options.key}`) {
      return error(401, "Incorrect API key provided.", "invalid_api_key");
    }
    if (req.method !== "POST" || url.pathname !== "/v1/images/generations") {
      return error(404, `Invalid URL (${req.method} ${url.pathname})`, null);
    }
    const body = bodyAs<{ prompt: string; model: string; size: string; n: number; response_format: string }>(req.body);
    const prompt = String(body.prompt ?? "");
    if (!options.models.includes(String(body.model))) {
      return error(404, `The model '${body.model}' does not exist`, "model_not_found", "model");
    }
    if (prompt.includes("[500]")) {
      return error(500, "The server had an error while processing your request.", null);
    }
    if (prompt.includes("[429]") && !seen.has(prompt)) {
      seen.add(prompt);
      return { ...error(429, "Rate limit reached.", "rate_limit_exceeded"), headers: { "retry-after": "1" } };
    }
    if (prompt.includes("[moderation]")) {
      return error(400, "Your request was rejected by the safety system.", "content_policy_violation");
    }
    const [width, height] = String(body.size ?? "256x256")
      .split("x")
      .map(Number);
    const data = [];
    for (let i = 0; i < Number(body.n ?? 1); i++) {
      const png = await sharp({
        create: { width: width ?? 256, height: height ?? 256, channels: 3, background: { r: 90, g: 30 * i, b: 160 } },
      })
        .png()
        .toBuffer();
      if (body.response_format === "b64_json") {
        data.push({ b64_json: png.toString("base64") });
      } else {
        const root = prompt.includes("[private-url]") ? "http://10.0.0.7" : base;
        data.push({ url: root + shelf.shelve(png, "png", FILE_TTL_MS) });
      }
    }
    return { status: 200, json: { created: Math.floor(Date.now() / 1000), data } };
  });
  base = server.url;
  return {
    ...server,
    key: options.key,
    generations: () => server.requests.filter((r) => r.path === "/v1/images/generations"),
  };
}
