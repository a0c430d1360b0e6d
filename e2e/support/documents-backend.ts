import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { Webhook as StandardWebhook } from "standardwebhooks";

/**
 * A stand-in for the team's own backend (the Flask/CrewAI service of the
 * product documents), written from the documents alone:
 *
 * - document 000: `POST /api/images/generate` takes `{ prompt, job_id,
 *   user_id, input_image_url, num_images, size, format, style, quality }`
 *   with `Authorization: Bearer <token>`, uses the `job_id` it is given (a
 *   UUID only when none), and sends webhooks to
 *   `{WEBHOOK_URL}/api/webhooks/image-completion`: `initializing` (25),
 *   `generating` (60), `saving` (90), then `completed` with
 *   `data.images[{ file_path, url, description, format, size_bytes,
 *   dimensions }]` and `data.metadata`, or `failed` with `error_message`;
 *   each with the `X-Webhook-Secret` header (documents 000–002) — or, for a
 *   backend updated to sign, Standard Webhooks headers made by the official
 *   `standardwebhooks` library;
 * - document 004: `POST /api/videos/generate` takes `{ prompt, aspect_ratio,
 *   duration_seconds, number_of_videos, person_generation,
 *   input_image_base64 }` (+ `job_id`, `user_id`, as its proposed route
 *   sends them) and reports `data.videos` to `/api/webhooks/video-completion`;
 * - its files live in its own S3-style storage: `url` is a presigned link it
 *   serves itself (`X-Amz-Expires`, `X-Amz-Signature`), which answers 403
 *   once expired (document 004: "Presigned URLs expirent");
 * - document 003's proposals (`user_id` and `original_prompt` in the
 *   webhook) when asked for.
 *
 * Nothing here reads Sorami's code: what it does not know, it does the way
 * a Flask service would (a 404 for any other route).
 */
export type DocumentsBackendOptions = {
  /** Where webhooks go: Sorami's address (document 000's WEBHOOK_URL, without the path). */
  webhookBase: string;
  /** WEBHOOK_SECRET, shared with Sorami. */
  webhookSecret: string;
  /** The bearer token it expects (document 000's curl: "Bearer YOUR_CLERK_TOKEN"). */
  token: string;
  /** How its webhooks are authenticated. */
  signing?: "x-webhook-secret" | "standard-webhooks";
  /** Lifetime of the presigned URLs it reports (S3's X-Amz-Expires). */
  urlLifetimeSeconds?: number;
  /** Document 003's proposals: `user_id` and `original_prompt` in every webhook. */
  proposals?: boolean;
};

export type ReceivedRequest = { method: string; path: string; authorization?: string; body: unknown };
export type SentWebhook = { status: string; jobId: string; answer: number };

export type DocumentsBackend = {
  url: string;
  host: string;
  /** Every request it got, in order (its generate calls and anything else). */
  received: ReceivedRequest[];
  /** Every webhook it sent, with Sorami's HTTP status. */
  sent: SentWebhook[];
  /** The bytes of a file it stored, by the `file_path` it reported. */
  files: Map<string, Buffer>;
  /** A fresh presigned URL of a file it stored (as its S3 would sign one now). */
  presignedUrl(filePath: string): string;
  set(options: Partial<DocumentsBackendOptions>): void;
  stop(): Promise<void>;
};

/** Prompts containing this fail, as document 000's "Quota API dépassé" example. */
export const FAIL_MARKER = "[échec]";

/** Pause between stages, so each webhook is its own step (the real one takes seconds). */
const STAGE_PAUSE_MS = 150;

/** Key of its presigned URLs (its own "AWS secret"). */
const S3_SIGNING_KEY = randomUUID();

function presign(path: string, lifetimeSeconds: number, now = Date.now()): string {
  const date = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-Expires=${lifetimeSeconds}`;
  const signature = createHmac("sha256", S3_SIGNING_KEY).update(`${path}?${query}`).digest("hex");
  return `${path}?${query}&X-Amz-Signature=${signature}`;
}

/** S3's answers to a presigned GET: the object, or an XML error with 403. */
function checkPresigned(url: URL): "ok" | "expired" | "bad-signature" {
  const signature = url.searchParams.get("X-Amz-Signature") ?? "";
  const query = ["X-Amz-Algorithm", "X-Amz-Date", "X-Amz-Expires"]
    .map((name) => `${name}=${url.searchParams.get(name) ?? ""}`)
    .join("&");
  const expected = createHmac("sha256", S3_SIGNING_KEY).update(`${url.pathname}?${query}`).digest("hex");
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    return "bad-signature";
  }
  const d = url.searchParams.get("X-Amz-Date") ?? "";
  const signedAt = Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
  const expires = Number(url.searchParams.get("X-Amz-Expires"));
  return Date.now() > signedAt + expires * 1000 ? "expired" : "ok";
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An image of the asked size and format, as its model would give: a plain colour, drawn by sharp. */
async function drawImage(size: string, format: string, n: number): Promise<{ bytes: Buffer; ext: string }> {
  const [width = 256, height = 256] = size.split("x").map(Number);
  const image = sharp({ create: { width, height, channels: 3, background: { r: 40 * n, g: 120, b: 200 } } });
  const upper = format.toUpperCase();
  if (upper === "JPEG" || upper === "JPG") {
    return { bytes: await image.jpeg().toBuffer(), ext: "jpg" };
  }
  if (upper === "WEBP") {
    return { bytes: await image.webp().toBuffer(), ext: "webp" };
  }
  return { bytes: await image.png().toBuffer(), ext: "png" };
}

/** A video file's bytes: an MP4 header box is all a webhook consumer needs to tell it is one. */
function videoBytes(n: number): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write("ftypisom", 4, "latin1");
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write("isommp41", 16, "latin1");
  return Buffer.concat([ftyp, Buffer.from(`video ${n}`)]);
}

export async function startDocumentsBackend(initial: DocumentsBackendOptions): Promise<DocumentsBackend> {
  const options: Required<DocumentsBackendOptions> = {
    signing: "x-webhook-secret",
    urlLifetimeSeconds: 24 * 3600,
    proposals: false,
    ...initial,
  };
  const received: ReceivedRequest[] = [];
  const sent: SentWebhook[] = [];
  const files = new Map<string, Buffer>();
  let base = "";

  async function webhook(kind: "image" | "video", payload: Record<string, unknown>, extra: Record<string, unknown>) {
    const body = JSON.stringify({ ...payload, ...extra });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.signing === "standard-webhooks") {
      const id = `msg_${randomUUID().replaceAll("-", "")}`;
      const at = new Date();
      headers["webhook-id"] = id;
      headers["webhook-timestamp"] = String(Math.floor(at.getTime() / 1000));
      headers["webhook-signature"] = new StandardWebhook(options.webhookSecret).sign(id, at, body);
    } else {
      headers["x-webhook-secret"] = options.webhookSecret;
    }
    const path = kind === "image" ? "/api/webhooks/image-completion" : "/api/webhooks/video-completion";
    const res = await fetch(`${options.webhookBase}${path}`, { method: "POST", headers, body });
    await res.text();
    sent.push({ status: String(payload.status), jobId: String(payload.job_id), answer: res.status });
  }

  /** The job, stage by stage, as document 000 describes it. */
  async function run(kind: "image" | "video", jobId: string, data: Record<string, unknown>) {
    const prompt = String(data.prompt ?? "");
    const proposals = options.proposals ? { user_id: data.user_id, original_prompt: prompt } : {};
    const envelope = () => ({ job_id: jobId, timestamp: new Date().toISOString(), environment: "development" });
    const started = Date.now();
    const stages = [
      ["initializing", 25, "Initialisation du modèle..."],
      ["generating", 60, "Génération en cours..."],
      ["saving", 90, kind === "image" ? "Enregistrement des images..." : "Enregistrement des vidéos..."],
    ] as const;
    for (const [status, progress, message] of stages) {
      await webhook(kind, { ...envelope(), status, message, progress }, proposals);
      await sleep(STAGE_PAUSE_MS);
      if (status === "generating" && prompt.includes(FAIL_MARKER)) {
        await webhook(
          kind,
          {
            ...envelope(),
            status: "failed",
            error_message: "Erreur lors de la génération: Quota API dépassé",
            message: "La génération a échoué",
          },
          proposals,
        );
        return;
      }
    }
    const items: Record<string, unknown>[] = [];
    const count = Number(kind === "image" ? (data.num_images ?? 1) : (data.number_of_videos ?? 1));
    for (let n = 1; n <= count; n++) {
      const file =
        kind === "image"
          ? await drawImage(String(data.size ?? "1024x1024"), String(data.format ?? "PNG"), n)
          : { bytes: videoBytes(n), ext: "mp4" };
      const filePath = `${kind === "image" ? "images" : "videos"}/${jobId}/${kind}_${n}.${file.ext}`;
      files.set(filePath, file.bytes);
      items.push({
        file_path: filePath,
        url: `${base}${presign(`/sorami-backend-bucket/${filePath}`, options.urlLifetimeSeconds)}`,
        description: prompt,
        format: file.ext === "jpg" ? "JPEG" : file.ext.toUpperCase(),
        size_bytes: file.bytes.length,
        ...(kind === "image"
          ? { dimensions: String(data.size ?? "1024x1024") }
          : {
              dimensions: data.aspect_ratio === "9:16" ? "720x1280" : "1280x720",
              duration_seconds: Number(data.duration_seconds ?? 8),
            }),
      });
    }
    const now = new Date().toISOString();
    const bytes = items.reduce((sum, item) => sum + Number(item.size_bytes), 0);
    await webhook(
      kind,
      {
        ...envelope(),
        status: "completed",
        data: {
          job_id: jobId,
          [kind === "image" ? "images" : "videos"]: items,
          metadata: {
            model_name: kind === "image" ? "gemini-2.5-flash-image" : "veo-2.0",
            version: "1.0",
            generation_time_seconds: (Date.now() - started) / 1000,
            input_tokens: 50,
            output_size_bytes: bytes,
            timestamp: now,
          },
          status: "completed",
          generated_at: now,
          ...(options.proposals ? { original_prompt: prompt } : {}),
        },
      },
      options.proposals ? { user_id: data.user_id } : {},
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    if (req.method === "GET" && url.pathname.startsWith("/sorami-backend-bucket/")) {
      const verdict = checkPresigned(url);
      const bytes = files.get(url.pathname.slice("/sorami-backend-bucket/".length));
      if (verdict !== "ok" || !bytes) {
        const code = !bytes ? "NoSuchKey" : verdict === "expired" ? "AccessDenied" : "SignatureDoesNotMatch";
        const message = verdict === "expired" ? "Request has expired" : "Access Denied";
        res.writeHead(bytes ? 403 : 404, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        );
        return;
      }
      const ext = url.pathname.slice(url.pathname.lastIndexOf(".") + 1);
      const type =
        { png: "image/png", jpg: "image/jpeg", webp: "image/webp", mp4: "video/mp4" }[ext] ?? "binary/octet-stream";
      res.writeHead(200, { "content-type": type, "content-length": String(bytes.length) }).end(bytes);
      return;
    }
    const body: Record<string, unknown> | null = req.method === "POST" ? await readJson(req).catch(() => ({})) : null;
    received.push({ method: req.method ?? "", path: url.pathname, authorization: req.headers.authorization, body });
    const kind =
      url.pathname === "/api/images/generate" ? "image" : url.pathname === "/api/videos/generate" ? "video" : null;
    if (req.method !== "POST" || !kind || !body) {
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>");
      return;
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "Unauthorized" }));
      return;
    }
    // Document 000: "Si job_id est fourni, l'utiliser, sinon en créer un nouveau".
    const jobId = typeof body.job_id === "string" && body.job_id ? body.job_id : randomUUID();
    res
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ job_id: jobId, status: "pending", message: "Génération démarrée" }));
    void run(kind, jobId, body).catch((error: unknown) => console.error("[documents backend]", error));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
  return {
    url: base,
    host,
    received,
    sent,
    files,
    presignedUrl: (filePath) => `${base}${presign(`/sorami-backend-bucket/${filePath}`, options.urlLifetimeSeconds)}`,
    set: (more) => Object.assign(options, more),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
