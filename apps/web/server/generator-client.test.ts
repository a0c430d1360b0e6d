import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage } from "@sorami/storage";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../generator/src/env";
import { buildServer } from "../../generator/src/http/server";
import { localModelRegistry } from "../../generator/src/providers/registry";
import {
  createGeneratorClient,
  GeneratorContractError,
  GeneratorRefused,
  GeneratorUnavailable,
} from "./generator-client";

// The real generator (its routes, its database) on a free port, called the way the web app calls it.
const SERVICE_KEY = "generator-client-test-service-key-0123456789";
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-client-test-"));
  const env = loadEnv({ DATABASE_URL: t.url, DATA_DIR: dataDir, SERVICE_KEY });
  app = buildServer({
    env,
    db: t.db,
    pool: t.pool,
    storage: new LocalStorage(path.join(dataDir, "media")),
    models: localModelRegistry(),
    queueAlive: () => true,
  });
  baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app?.close();
  await t?.stop();
});

const client = () => createGeneratorClient({ baseUrl, authorization: `Bearer ${SERVICE_KEY}` });
const request = (job_id: string) => ({
  prompt: "a lighthouse",
  num_images: 1,
  size: "256x256" as const,
  format: "PNG" as const,
  style: "sketch" as const,
  quality: "standard" as const,
  job_id,
  user_id: "user-1",
});

describe("the generator client", () => {
  it("submits a job and reads it back, every answer parsed by its contract", async () => {
    const accepted = await client().submit("image", request("client-job-1"));
    expect(accepted).toEqual({ job_id: "client-job-1" });
    expect(await client().getJob("client-job-1")).toMatchObject({
      job_id: "client-job-1",
      kind: "image",
      user_id: "user-1",
      status: "PENDING",
      progress: 0,
      result: null,
    });
    expect(await client().cancel("client-job-1")).toEqual({ job_id: "client-job-1", outcome: "canceled" });
    expect(await client().cancel("client-job-1")).toEqual({ job_id: "client-job-1", outcome: "already-ended" });
  });

  it("reads the generator's active catalog, and a model it does not run is a refusal naming model", async () => {
    const { models } = await client().models();
    expect(models.map((m) => [m.id, m.kind, m.provider, m.default])).toEqual([
      ["local-image-v1", "image", "local", true],
      ["local-video-v1", "video", "local", true],
    ]);
    const refused = await client()
      .submit("image", { ...request("client-job-3"), model: "fal-ai/flux/schnell" })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: "GeneratorRefused", status: 422, field: "model" });
    // Absent, the default: the job row names it.
    await client().submit("image", request("client-job-4"));
    expect(await client().getJob("client-job-4")).toMatchObject({ model: "local-image-v1", provider: "local" });
  });

  it("answers null for what the generator does not have", async () => {
    expect(await client().getJob("never-submitted")).toBeNull();
    expect(await client().cancel("never-submitted")).toBeNull();
    expect(await client().redeliver("msg_nosuchdelivery")).toBeNull();
  });

  it("turns a refusal into GeneratorRefused with the generator's reason and field", async () => {
    await client().submit("image", request("client-job-2"));
    const other = { ...request("client-job-2"), user_id: "someone-else" };
    const refused = await client()
      .submit("image", other)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GeneratorRefused);
    expect(refused).toMatchObject({ status: 409, field: "job_id" });
    const wrongKey = createGeneratorClient({ baseUrl, authorization: "Bearer not-the-key" });
    await expect(wrongKey.getJob("client-job-2")).rejects.toMatchObject({ name: "GeneratorRefused", status: 401 });
  });

  it("is unavailable when nothing answers, and refuses an answer outside its contract", async () => {
    const gone = createGeneratorClient({ baseUrl: "http://127.0.0.1:9", authorization: `Bearer ${SERVICE_KEY}` });
    await expect(gone.getJob("x")).rejects.toBeInstanceOf(GeneratorUnavailable);
    // Another version of the generator, answering 200 with a body the contract does not know.
    const drifted = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    await new Promise<void>((resolve) => drifted.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(drifted.address() as AddressInfo).port}`;
      const onDrift = createGeneratorClient({ baseUrl: url, authorization: `Bearer ${SERVICE_KEY}` });
      await expect(onDrift.getJob("x")).rejects.toBeInstanceOf(GeneratorContractError);
    } finally {
      drifted.close();
    }
  });
});
