import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { GEMINI_IMAGE_ASPECT_RATIOS } from "@sorami/contracts";
import sharp from "sharp";
import { z } from "zod";
import { type FakeServer, type Recorded, type Reply, startFakeServer } from "./server";

/** generateContent's body in the REST API's documented names (what is checked here; the rest passes). */
const generateContentBody = z.looseObject({
  contents: z
    .array(
      z.looseObject({
        role: z.string().optional(),
        parts: z
          .array(
            z.looseObject({
              text: z.string().optional(),
              inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  generationConfig: z
    .looseObject({
      responseModalities: z.array(z.string()).optional(),
      imageConfig: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
/** predictLongRunning's body (Veo), in the REST API's documented names. */
const predictLongRunningBody = z.looseObject({
  instances: z
    .array(
      z.looseObject({
        prompt: z.string().optional(),
        image: z.looseObject({ bytesBase64Encoded: z.string().optional(), mimeType: z.string().optional() }).optional(),
      }),
    )
    .default([]),
  parameters: z
    .looseObject({
      aspectRatio: z.string().optional(),
      durationSeconds: z.number().optional(),
      sampleCount: z.number().optional(),
      personGeneration: z.string().optional(),
      negativePrompt: z.string().optional(),
    })
    .default({}),
});
type CallBodies = {
  generateContent: z.infer<typeof generateContentBody>;
  predictLongRunning: z.infer<typeof predictLongRunningBody>;
  operation: unknown;
  download: unknown;
};
const CALL_SCHEMAS = {
  generateContent: generateContentBody,
  predictLongRunning: predictLongRunningBody,
  operation: z.unknown(),
  download: z.unknown(),
};

/**
 * A stand-in for the Gemini API (generativelanguage.googleapis.com), which
 * no machine here can reach, speaking its documented REST format to the
 * real @google/genai SDK:
 *
 * - `POST /v1beta/models/{model}:generateContent` → a candidate with an
 *   `inlineData` PNG at the requested `imageConfig.aspectRatio`'s size;
 * - `POST /v1beta/models/{model}:predictLongRunning` (Veo) → `{name}`;
 * - `GET /v1beta/{name}` → the operation, `done` after N polls, with
 *   `response.generateVideoResponse.generatedSamples[].video.uri`;
 * - `GET /v1beta/files/{id}:download?alt=media` → the MP4 (a real H.264
 *   file made with ffmpeg at the requested ratio and length).
 *
 * Every call needs `x-goog-api-key`. Requests the real API refuses (an
 * unsupported aspect ratio, an output format option, Veo parameters out of
 * its limits) get its 400 INVALID_ARGUMENT. Behaviours are scripted by
 * markers in the prompt:
 *
 * | marker           | generateContent                                      | predictLongRunning / operation      |
 * | ---------------- | ---------------------------------------------------- | ----------------------------------- |
 * | `[text-only]`    | a text part, no image, finishReason STOP             |                                     |
 * | `[no-image]`     | no parts, finishReason NO_IMAGE                      |                                     |
 * | `[safety]`       | promptFeedback.blockReason SAFETY, no candidates     | done, 0 samples, RAI-filtered       |
 * | `[image-safety]` | finishReason IMAGE_SAFETY                            |                                     |
 * | `[429]`          | first call 429 RESOURCE_EXHAUSTED (RetryInfo 1s)     | same on predictLongRunning          |
 * | `[500]`          | always 500 INTERNAL                                  | always 500 INTERNAL                 |
 * | `[slow]`         |                                                      | done after 3 polls                  |
 * | `[zero]`         |                                                      | done with zero samples, no reason   |
 * | `[op-error]`     |                                                      | done with error (code 3)            |
 * | `[hold]`         |                                                      | running until `releaseHeld()`       |
 */
export type FakeGoogle = FakeServer & {
  apiKey: string;
  /** Requests by kind, in order, their bodies read in the API's format. */
  calls<K extends keyof CallBodies>(kind: K): Recorded<CallBodies[K]>[];
  /** Lets every `[hold]` operation finish on its next poll (a generator killed mid-wait comes back to it). */
  releaseHeld(): void;
};

const VEO_RATIOS = ["16:9", "9:16"];
const VEO_DURATIONS = [4, 6, 8];
const VEO_SIZES: Record<string, string> = { "16:9": "1280x720", "9:16": "720x1280" };
/** Polls before an operation is done: one for most, three for `[slow]`. */
const POLLS_BEFORE_DONE = { normal: 1, slow: 3 };

const googleError = (status: number, rpc: string, message: string, details?: unknown[]): Reply => ({
  status,
  json: { error: { code: status, message, status: rpc, ...(details ? { details } : {}) } },
});
const invalid = (message: string) => googleError(400, "INVALID_ARGUMENT", message);

function ffmpegPath(): string {
  return (createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string }).path;
}

/** A real H.264 MP4 of the given size and length (a plain colour at 12 fps: cheap to encode on a busy machine). */
export async function makeMp4(size: string, seconds: number): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fake-veo-"));
  const out = path.join(dir, "video.mp4");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpegPath(), [
        ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
        ...["-i", `color=c=0x2878c8:size=${size}:rate=12`, "-t", String(seconds)],
        ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", out],
      ]);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${code}: ${stderr}`))));
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Operation = { name: string; prompt: string; polls: number; doneAfter: number; fileIds: string[]; held: boolean };

export async function startFakeGoogle(apiKey = `test-key-${randomBytes(6).toString("hex")}`): Promise<FakeGoogle> {
  const seenPrompts = new Set<string>();
  const operations = new Map<string, Operation>();
  const files = new Map<string, Buffer>();
  const mp4s = new Map<string, Promise<Buffer>>();
  const mp4 = (size: string, seconds: number) => {
    const key = `${size}/${seconds}`;
    if (!mp4s.has(key)) {
      mp4s.set(key, makeMp4(size, seconds));
    }
    return mp4s.get(key) as Promise<Buffer>;
  };
  /** true the first time a prompt is seen (for "fail once, then succeed"). */
  const firstTime = (kind: string, prompt: string) => {
    const key = `${kind}\u0000${prompt}`;
    if (seenPrompts.has(key)) {
      return false;
    }
    seenPrompts.add(key);
    return true;
  };

  async function generateContent(req: Recorded): Promise<Reply> {
    const parsed = generateContentBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return invalid(`Invalid JSON payload received. ${parsed.error.issues[0]?.message ?? ""}`);
    }
    const body = parsed.data;
    const parts = body.contents[0]?.parts ?? [];
    const prompt = parts.map((p) => p.text ?? "").join(" ");
    if (!prompt) {
      return invalid("* GenerateContentRequest.contents: contents is not specified");
    }
    const config = body.generationConfig ?? {};
    const modalities = config.responseModalities ?? [];
    if (!modalities.includes("IMAGE")) {
      return invalid("This model only supports IMAGE in responseModalities");
    }
    const imageConfig = config.imageConfig ?? {};
    for (const key of Object.keys(imageConfig)) {
      if (key !== "aspectRatio") {
        return invalid(`Invalid JSON payload received. Unknown name "${key}" at 'generation_config.image_config'`);
      }
    }
    const ratio = String(imageConfig.aspectRatio ?? "1:1");
    const size = GEMINI_IMAGE_ASPECT_RATIOS[ratio as keyof typeof GEMINI_IMAGE_ASPECT_RATIOS];
    if (!size) {
      return invalid(`Unsupported aspect ratio: ${ratio}`);
    }
    for (const part of parts) {
      if (part.inlineData && !/^image\/(png|jpeg|webp)$/.test(part.inlineData.mimeType)) {
        return invalid(`Unsupported MIME type: ${part.inlineData.mimeType}`);
      }
    }
    const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 };
    if (prompt.includes("[500]")) {
      return googleError(500, "INTERNAL", "An internal error has occurred. Please retry.");
    }
    if (prompt.includes("[429]") && firstTime("generateContent", prompt)) {
      return googleError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" },
      ]);
    }
    if (prompt.includes("[safety]")) {
      return { status: 200, json: { promptFeedback: { blockReason: "SAFETY" }, usageMetadata } };
    }
    const candidate = (parts: unknown[], finishReason: string) => ({
      status: 200,
      json: { candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }], usageMetadata },
    });
    if (prompt.includes("[text-only]")) {
      return candidate([{ text: "I can describe a lighthouse for you, but I will not draw one today." }], "STOP");
    }
    if (prompt.includes("[no-image]")) {
      return candidate([], "NO_IMAGE");
    }
    if (prompt.includes("[image-safety]")) {
      return candidate([], "IMAGE_SAFETY");
    }
    const png = await sharp({
      create: { width: size.width, height: size.height, channels: 3, background: { r: 40, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    return candidate(
      [{ text: "Here is your image." }, { inlineData: { mimeType: "image/png", data: png.toString("base64") } }],
      "STOP",
    );
  }

  async function predictLongRunning(req: Recorded, model: string): Promise<Reply> {
    const parsed = predictLongRunningBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      return invalid(`Invalid JSON payload received. ${parsed.error.issues[0]?.message ?? ""}`);
    }
    const instance = parsed.data.instances[0] ?? {};
    const parameters = parsed.data.parameters;
    const prompt = instance.prompt ?? "";
    if (!prompt) {
      return invalid("prompt is required");
    }
    if (instance.image && !(instance.image.bytesBase64Encoded && instance.image.mimeType)) {
      return invalid("image must have bytesBase64Encoded and mimeType");
    }
    const ratio = parameters.aspectRatio ?? "16:9";
    if (!VEO_RATIOS.includes(ratio)) {
      return invalid(`Aspect ratio ${ratio} is not supported. Supported: 16:9, 9:16`);
    }
    const seconds = Number(parameters.durationSeconds ?? 8);
    if (!VEO_DURATIONS.includes(seconds)) {
      return invalid(`durationSeconds ${seconds} is out of bounds: 4, 6 or 8`);
    }
    if ((parameters.sampleCount ?? 1) !== 1) {
      return invalid("sampleCount must be 1 for this model");
    }
    const allowedPeople = instance.image ? "allow_adult" : "allow_all";
    if (parameters.personGeneration && parameters.personGeneration !== allowedPeople) {
      return invalid(`${parameters.personGeneration} for personGeneration is currently not supported.`);
    }
    if (prompt.includes("[500]")) {
      return googleError(500, "INTERNAL", "An internal error has occurred. Please retry.");
    }
    if (prompt.includes("[429]") && firstTime("predictLongRunning", prompt)) {
      return googleError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" },
      ]);
    }
    const name = `models/${model}/operations/${randomBytes(8).toString("hex")}`;
    const fileIds: string[] = [];
    if (!/\[(zero|safety|op-error)\]/.test(prompt)) {
      const id = randomBytes(8).toString("hex");
      files.set(id, await mp4(VEO_SIZES[ratio] ?? "1280x720", seconds));
      fileIds.push(id);
    }
    const doneAfter = prompt.includes("[slow]") ? POLLS_BEFORE_DONE.slow : POLLS_BEFORE_DONE.normal;
    operations.set(name, { name, prompt, polls: 0, doneAfter, fileIds, held: prompt.includes("[hold]") });
    return { status: 200, json: { name } };
  }

  function operation(name: string): Reply {
    const op = operations.get(name);
    if (!op) {
      return googleError(404, "NOT_FOUND", `Operation ${name} not found`);
    }
    op.polls++;
    if (op.polls < op.doneAfter || op.held) {
      return { status: 200, json: { name, metadata: {} } };
    }
    if (op.prompt.includes("[op-error]")) {
      return {
        status: 200,
        json: { name, done: true, error: { code: 3, message: "The prompt could not be processed." } },
      };
    }
    const generatedSamples = op.fileIds.map((id) => ({
      // The real API answers with a googleapis.com URI; the SDK only takes the file id from it.
      video: { uri: `https://generativelanguage.googleapis.com/v1beta/files/${id}:download?alt=media` },
    }));
    const filtered = op.prompt.includes("[safety]")
      ? {
          raiMediaFilteredCount: 1,
          raiMediaFilteredReasons: [
            "Your current safety settings for person generation prevented this video from being generated.",
          ],
        }
      : {};
    return {
      status: 200,
      json: {
        name,
        done: true,
        response: {
          "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
          generateVideoResponse: { generatedSamples, ...filtered },
        },
      },
    };
  }

  const server = await startFakeServer(async (req, url) => {
    if (req.headers["x-goog-api-key"] !== apiKey) {
      return googleError(403, "PERMISSION_DENIED", "API key not valid. Please pass a valid API key.");
    }
    const model = /^\/v1beta\/models\/([^/:]+):(generateContent|predictLongRunning)$/.exec(url.pathname);
    if (req.method === "POST" && model?.[2] === "generateContent") {
      return generateContent(req);
    }
    if (req.method === "POST" && model?.[2] === "predictLongRunning") {
      return predictLongRunning(req, model[1] ?? "");
    }
    const download = /^\/v1beta\/files\/([a-z0-9]+):download$/.exec(url.pathname);
    if (req.method === "GET" && download && url.searchParams.get("alt") === "media") {
      const file = files.get(download[1] ?? "");
      return file
        ? { status: 200, body: file, headers: { "content-type": "video/mp4" } }
        : googleError(404, "NOT_FOUND", "File not found");
    }
    const op = /^\/v1beta\/(models\/[^/]+\/operations\/[^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && op?.[1]) {
      return operation(op[1]);
    }
    return googleError(404, "NOT_FOUND", `No route for ${req.method} ${url.pathname}`);
  });

  const kindOf = (r: Recorded) =>
    r.path.endsWith(":generateContent")
      ? "generateContent"
      : r.path.endsWith(":predictLongRunning")
        ? "predictLongRunning"
        : r.path.endsWith(":download")
          ? "download"
          : "operation";
  return {
    ...server,
    apiKey,
    calls: <K extends keyof CallBodies>(kind: K) =>
      server.requests
        .filter((r) => kindOf(r) === kind)
        .map((r) => ({ ...r, body: CALL_SCHEMAS[kind].parse(r.body) as CallBodies[K] })),
    releaseHeld: () => {
      for (const op of operations.values()) {
        op.held = false;
      }
    },
  };
}
