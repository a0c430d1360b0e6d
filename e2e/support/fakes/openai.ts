import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { z } from "zod";
import { type FakeServer, type Recorded, type Reply, startFakeServer } from "./server";

/** `POST /v1/images/generations`'s body, in the API's documented names (what is checked here; the rest passes). */
const generationBody = z.looseObject({
  prompt: z.string().optional(),
  model: z.string().optional(),
  n: z.number().optional(),
  size: z.string().optional(),
  quality: z.string().optional(),
  output_format: z.string().optional(),
  response_format: z.unknown().optional(),
});
export type GenerationBody = z.infer<typeof generationBody>;

/**
 * A stand-in for the OpenAI Images API (api.openai.com), speaking its
 * documented REST format to the real `openai` SDK: `POST /v1/images/generations`
 * with `Authorization: Bearer <key>` → `{created, data: [{b64_json}], usage,
 * output_format, size, quality}`, images made in the requested size and
 * format. What the real API refuses for GPT image models (another size, a
 * `response_format`, n out of 1-10) gets its 400. Prompt markers:
 *
 * | marker         | answer                                                         |
 * | -------------- | -------------------------------------------------------------- |
 * | `[moderation]` | 400 `moderation_blocked` (the safety system refused the prompt) |
 * | `[429]`        | first call 429 with `retry-after: 1`, then success             |
 * | `[500]`        | always 500                                                     |
 */
export type FakeOpenAI = FakeServer & { apiKey: string; generations(): Recorded<GenerationBody>[] };

const SIZES = ["1024x1024", "1536x1024", "1024x1536", "auto"];
const QUALITIES = ["low", "medium", "high", "auto"];
const FORMATS = ["png", "jpeg", "webp"];

const openaiError = (
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) => ({
  status,
  json: { error: { message, type, param, code } },
});
const invalid = (message: string, param: string) =>
  openaiError(400, message, "invalid_request_error", "invalid_value", param);

export async function startFakeOpenAI(apiKey = `sk-test-${randomBytes(8).toString("hex")}`): Promise<FakeOpenAI> {
  const seen = new Set<string>();

  async function generate(req: Recorded): Promise<Reply> {
    const parsed = generationBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return invalid(`Invalid body: ${parsed.error.issues[0]?.message}`, String(parsed.error.issues[0]?.path[0] ?? ""));
    }
    const body = parsed.data;
    const prompt = body.prompt ?? "";
    if (!prompt) {
      return invalid("Missing required parameter: 'prompt'.", "prompt");
    }
    if (!String(body.model ?? "").startsWith("gpt-image")) {
      return invalid("This fake serves GPT image models only.", "model");
    }
    if (body.response_format !== undefined) {
      return invalid("Unknown parameter: 'response_format'. GPT image models always return base64.", "response_format");
    }
    const n = body.n ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > 10) {
      return invalid(`Invalid 'n': integer above maximum value (${n}).`, "n");
    }
    const size = body.size ?? "auto";
    if (!SIZES.includes(size)) {
      return invalid(`Invalid value: '${size}'. Supported values are: ${SIZES.join(", ")}.`, "size");
    }
    const quality = body.quality ?? "auto";
    if (!QUALITIES.includes(quality)) {
      return invalid(`Invalid value: '${quality}'.`, "quality");
    }
    const format = body.output_format ?? "png";
    if (!FORMATS.includes(format)) {
      return invalid(`Invalid value: '${format}'.`, "output_format");
    }

    if (prompt.includes("[500]")) {
      return openaiError(500, "The server had an error while processing your request.", "server_error", null);
    }
    if (prompt.includes("[429]") && !seen.has(prompt)) {
      seen.add(prompt);
      return {
        ...openaiError(429, "Rate limit reached for images per minute.", "requests", "rate_limit_exceeded"),
        headers: { "retry-after": "1" },
      };
    }
    if (prompt.includes("[moderation]")) {
      return openaiError(
        400,
        "Your request was rejected as a result of our safety system. Your request may contain content that is not allowed by our safety system.",
        "image_generation_user_error",
        "moderation_blocked",
      );
    }
    const [width, height] = (size === "auto" ? "1024x1024" : size).split("x").map(Number);
    const data = [];
    for (let i = 0; i < n; i++) {
      const picture = sharp({
        create: {
          width: width ?? 1024,
          height: height ?? 1024,
          channels: 3,
          background: { r: 200, g: 80 + i * 30, b: 60 },
        },
      });
      const bytes = await (format === "png"
        ? picture.png()
        : format === "jpeg"
          ? picture.jpeg()
          : picture.webp()
      ).toBuffer();
      data.push({ b64_json: bytes.toString("base64") });
    }
    return {
      status: 200,
      json: {
        created: Math.floor(Date.now() / 1000),
        background: "opaque",
        data,
        output_format: format,
        quality: quality === "auto" ? "high" : quality,
        size: size === "auto" ? "1024x1024" : size,
        usage: {
          input_tokens: 20,
          input_tokens_details: { image_tokens: 0, text_tokens: 20 },
          output_tokens: 4160 * n,
          total_tokens: 20 + 4160 * n,
        },
      },
    };
  }

  const server = await startFakeServer(async (req, url) => {
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return openaiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    if (req.method === "POST" && url.pathname === "/v1/images/generations") {
      return generate(req);
    }
    return openaiError(404, `Invalid URL (${req.method} ${url.pathname})`, "invalid_request_error", null);
  });
  return {
    ...server,
    apiKey,
    generations: () =>
      server.requests
        .filter((r) => r.path === "/v1/images/generations")
        .map((r) => ({ ...r, body: generationBody.parse(r.body) })),
  };
}
