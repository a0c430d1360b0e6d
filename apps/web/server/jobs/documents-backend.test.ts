import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage, type Storage } from "@sorami/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGeneratorClient } from "../generator-client";
import { propagateCancel } from "./cancel";
import { dispatchGeneration } from "./dispatch";
import type { HandoverDeps } from "./handover";
import { reconcileOnce } from "./reconcile";

/**
 * GENERATOR_API=documents: what Sorami sends a backend that implements
 * document 000 alone, and how it does without the rest. A real HTTP server
 * plays the backend and records every request it gets.
 */
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let server: Server;
let base: string;
const storage: Storage = new LocalStorage(mkdtempSync(path.join(os.tmpdir(), "sorami-documents-test-")));
const received: { method: string; url: string; authorization: string | undefined; body: unknown }[] = [];
/** What the backend answers a submit (per test). */
let answer: { status: number; body: unknown } = { status: 200, body: {} };

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("input")]);

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : null;
}

beforeAll(async () => {
  t = await startTestDatabase();
  server = createServer(async (req, res) => {
    if (req.url === "/input.png") {
      res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      return;
    }
    received.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      body: await bodyOf(req),
    });
    if (req.url?.endsWith("/generate")) {
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    } else {
      // Document 000 defines nothing else: a Flask app answers 404.
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await t?.stop();
});

const backend = createGeneratorClient({
  baseUrl: "http://placeholder.invalid",
  authorization: "Bearer clerk-token-of-the-operator",
  api: "documents",
});
const client = () =>
  createGeneratorClient({ baseUrl: base, authorization: "Bearer clerk-token-of-the-operator", api: "documents" });
const handover = (): HandoverDeps => ({
  storage,
  signedMediaUrl: (key) => `https://sorami.example/api/media/${key}?expires=1&signature=sig`,
  inputImageAllowedHosts: [new URL(base).host],
});

async function newJob(kind: "image" | "video", params: Record<string, unknown>, prompt = "Un chat mignon") {
  const owner = await t.createUser();
  const id = randomUUID();
  await t.db.insert(schema.generations).values({ id, kind, authorId: owner.id, prompt, params });
  return { id, owner: owner.id };
}
const jobRow = async (id: string) =>
  (await t.db.select().from(schema.generations).where(eq(schema.generations.id, id)))[0];
const lastRequest = () => received.at(-1);

const IMAGE_PARAMS = { num_images: 1, size: "1024x1024", format: "PNG", style: "illustration", quality: "high" };

describe("dispatch to a documents backend", () => {
  it("sends document 000's image request exactly: its fields, in its order, with the operator's token", async () => {
    const { id, owner } = await newJob("image", { ...IMAGE_PARAMS, input_image_url: "https://images.example/cat.png" });
    answer = { status: 202, body: { job_id: id, status: "processing", message: "Génération démarrée" } };
    expect(await dispatchGeneration(t.db, id, { generator: client(), handover: handover() })).toBe("sent");
    const request = lastRequest();
    expect(request?.url).toBe("/api/images/generate");
    expect(request?.authorization).toBe("Bearer clerk-token-of-the-operator");
    expect(Object.keys(request?.body as object)).toEqual([
      "prompt",
      "job_id",
      "user_id",
      "input_image_url",
      "num_images",
      "size",
      "format",
      "style",
      "quality",
    ]);
    expect(request?.body).toEqual({
      prompt: "Un chat mignon",
      job_id: id,
      user_id: owner,
      input_image_url: "https://images.example/cat.png",
      ...IMAGE_PARAMS,
    });
    expect((await jobRow(id))?.status).toBe("PENDING");
  });

  it("sends an image job's stored input image as a signed link, never its storage key", async () => {
    answer = { status: 200, body: {} };
    const { id } = await newJob("image", { ...IMAGE_PARAMS, input_image_key: "inputs/x/input.png" });
    expect(await dispatchGeneration(t.db, id, { generator: client(), handover: handover() })).toBe("sent");
    expect(lastRequest()?.body).toMatchObject({
      input_image_url: "https://sorami.example/api/media/inputs/x/input.png?expires=1&signature=sig",
    });
    expect(JSON.stringify(lastRequest()?.body)).not.toContain("input_image_key");
  });

  it("sends document 004's video request, the input image as base64 (stored, or fetched from its URL)", async () => {
    answer = { status: 200, body: {} };
    const video = { aspect_ratio: "16:9", duration_seconds: 8, number_of_videos: 1, person_generation: "ALLOW_ALL" };
    const stored = await newJob("video", { ...video, input_image_key: `inputs/${randomUUID()}/input.png` });
    const key = (await jobRow(stored.id))?.params.input_image_key as string;
    await storage.put(key, PNG, "image/png");
    expect(await dispatchGeneration(t.db, stored.id, { generator: client(), handover: handover() })).toBe("sent");
    expect(lastRequest()?.url).toBe("/api/videos/generate");
    expect(lastRequest()?.body).toEqual({
      prompt: "Un chat mignon",
      ...video,
      input_image_base64: PNG.toString("base64"),
      job_id: stored.id,
      user_id: stored.owner,
    });
    const byUrl = await newJob("video", { ...video, input_image_url: `${base}/input.png` });
    expect(await dispatchGeneration(t.db, byUrl.id, { generator: client(), handover: handover() })).toBe("sent");
    expect(lastRequest()?.body).toMatchObject({ input_image_base64: PNG.toString("base64") });
    expect(Object.keys(lastRequest()?.body as object)).not.toContain("input_image_url");
  });

  it("fails the job when the backend answers with a job_id of its own (its webhooks would never reach it)", async () => {
    const { id } = await newJob("image", IMAGE_PARAMS);
    answer = { status: 200, body: { job_id: "c76c36ee-838d-4ecb-94ed-37018032c9fd" } };
    expect(await dispatchGeneration(t.db, id, { generator: client(), handover: handover() })).toBe("refused");
    const row = await jobRow(id);
    expect(row?.status).toBe("FAILED");
    expect(row?.error).toMatch(/another job_id \(c76c36ee-838d-4ecb-94ed-37018032c9fd\).*document 000/);
  });

  it("fails the job with the backend's refusal (a token it does not take)", async () => {
    const { id } = await newJob("image", IMAGE_PARAMS);
    answer = { status: 401, body: { error: "Unauthorized" } };
    expect(await dispatchGeneration(t.db, id, { generator: client(), handover: handover() })).toBe("refused");
    expect((await jobRow(id))?.error).toMatch(/HTTP 401/);
  });
});

describe("what a documents backend does not have", () => {
  it("is never asked for a job's state nor sent a job again; a job past its maximum age fails with a reason", async () => {
    const young = await newJob("image", IMAGE_PARAMS);
    const old = await newJob("image", IMAGE_PARAMS);
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    await t.db.update(schema.generations).set({ updatedAt: longAgo }).where(eq(schema.generations.id, young.id));
    await t.db
      .update(schema.generations)
      .set({ updatedAt: longAgo, createdAt: longAgo })
      .where(eq(schema.generations.id, old.id));
    const before = received.length;
    const report = await reconcileOnce(t.db, {
      generator: client(),
      staleAfterSeconds: { image: 60, video: 60 },
      maxAgeSeconds: { image: 3600, video: 3600 },
      screening: false,
    });
    expect(received.length).toBe(before);
    expect(report).toMatchObject({ redispatched: 0, failed: 1, errors: 0 });
    expect((await jobRow(young.id))?.status).toBe("PENDING");
    expect((await jobRow(young.id))?.updatedAt.getTime()).toBeGreaterThan(longAgo.getTime());
    expect(await jobRow(old.id)).toMatchObject({
      status: "FAILED",
      error: "The backend sent no result within the longest a job may take, so the job was stopped",
    });
  });

  it("is not told of a cancel, and says what it cannot do", async () => {
    const before = received.length;
    await propagateCancel("any-job", client());
    expect(received.length).toBe(before);
    expect(backend.capabilities).toEqual({ jobView: false, cancel: false, redeliver: false });
    await expect(backend.getJob("x")).rejects.toMatchObject({ name: "GeneratorUnsupported" });
    await expect(backend.redeliver("msg_x")).rejects.toMatchObject({ name: "GeneratorUnsupported" });
  });

  it("counts as healthy when it answers HTTP at all (it has no health route)", async () => {
    expect(await client().health()).toBe("ok");
    expect(
      await createGeneratorClient({ baseUrl: "http://127.0.0.1:9", authorization: null, api: "documents" }).health(),
    ).toBe("unreachable");
  });
});
