import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppError } from "@sorami/contracts";
import { startTestDatabase } from "@sorami/db/testing";
import { LocalStorage } from "@sorami/storage";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../generator/src/env";
import { buildServer } from "../../generator/src/http/server";
import { localModelRegistry } from "../../generator/src/providers/registry";
import { createCatalogCache } from "./catalog";
import { createGeneratorClient } from "./generator-client";

// The real generator on a free port: the web app's copy of its catalog, through the one client.
const SERVICE_KEY = "catalog-cache-test-service-key-0123456789";
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let app: FastifyInstance;
let baseUrl: string;
let asked = 0;

beforeAll(async () => {
  t = await startTestDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sorami-catalog-cache-"));
  app = buildServer({
    env: loadEnv({ DATABASE_URL: t.url, DATA_DIR: dataDir, SERVICE_KEY }),
    db: t.db,
    pool: t.pool,
    storage: new LocalStorage(path.join(dataDir, "media")),
    models: localModelRegistry(),
    queueAlive: () => true,
  });
  app.addHook("onRequest", async (request) => {
    if (request.url === "/api/models") {
      asked++;
    }
  });
  baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app?.close();
  await t?.stop();
});

const client =
  (url = baseUrl) =>
  () =>
    createGeneratorClient({ baseUrl: url, authorization: `Bearer ${SERVICE_KEY}` });
const settle = () => new Promise((r) => setTimeout(r, 50));
/** Waits until `check` holds (the test's own deadline stops a hang). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) {
    await settle();
  }
}

describe("the web app's copy of the catalog", () => {
  it("asks the generator once, then answers from its copy until the copy is old", async () => {
    const cache = createCatalogCache(client(), 3_600_000);
    const before = asked;
    const [a, b] = await Promise.all([cache.models(), cache.models()]);
    expect(a.map((m) => m.id)).toEqual(["local-image-v1", "local-video-v1"]);
    expect(b).toBe(a);
    await cache.models();
    expect(asked - before).toBe(1);
    expect(cache.known()).toBe(a);
  });

  it("refreshes an old copy in the background, answering with the copy meanwhile", async () => {
    const cache = createCatalogCache(client(), 0);
    await cache.models();
    const before = asked;
    expect((await cache.models()).length).toBe(2);
    await until(() => asked - before === 1);
    expect(cache.known()?.length).toBe(2);
  });

  it("keeps serving its copy when the generator is away, and is unavailable (503) only without one", async () => {
    const down = "http://127.0.0.1:9";
    let url = baseUrl;
    const cache = createCatalogCache(
      () => createGeneratorClient({ baseUrl: url, authorization: `Bearer ${SERVICE_KEY}` }),
      0,
    );
    await cache.models();
    url = down;
    cache.stale();
    expect((await cache.models()).length).toBe(2);
    await settle();
    expect((await cache.models()).length).toBe(2);

    const empty = createCatalogCache(client(down));
    const refused = await empty.models().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "unavailable", status: 503, headers: { "Retry-After": "5" } });
    expect(empty.known()).toBeNull();
  });
});
