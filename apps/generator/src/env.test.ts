import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

const base = { DATABASE_URL: "postgres://x", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "sorami-genenv-")) };

describe("generator provider configuration", () => {
  it("refuses to start a real provider without its key, naming the variable", () => {
    expect(() => loadEnv({ ...base, IMAGE_PROVIDER: "gemini" })).toThrow(
      /GEMINI_API_KEY: is required with IMAGE_PROVIDER=gemini/,
    );
    expect(() => loadEnv({ ...base, VIDEO_PROVIDER: "veo" })).toThrow(
      /GEMINI_API_KEY: is required with VIDEO_PROVIDER=veo/,
    );
    expect(() => loadEnv({ ...base, IMAGE_PROVIDER: "openai" })).toThrow(/OPENAI_API_KEY/);
  });

  it("takes the keys and other endpoints of every provider at once", () => {
    const env = loadEnv({
      ...base,
      VIDEO_PROVIDER: "veo",
      GEMINI_API_KEY: "g-key",
      OPENAI_API_KEY: "o-key",
      OPENAI_BASE_URL: "http://127.0.0.1:1234/v1",
      FAL_KEY: "f-key",
      FAL_BASE_URL: "http://127.0.0.1:1235",
      REPLICATE_API_TOKEN: "r-token",
      OPENAI_IMAGE_MODEL: "gpt-image-1-mini",
    });
    expect(env.providerConfig.keys).toEqual({
      gemini: "g-key",
      veo: "g-key",
      openai: "o-key",
      fal: "f-key",
      replicate: "r-token",
      bfl: undefined,
    });
    expect(env.providerConfig.baseUrls).toMatchObject({
      openai: "http://127.0.0.1:1234/v1",
      fal: "http://127.0.0.1:1235",
    });
    expect(env.providerConfig.vendorModels.openai).toBe("gpt-image-1-mini");
  });

  it("resolves the active catalog from the keys set, naming the defaults", async () => {
    const catalog = await loadEnv({ ...base, VIDEO_PROVIDER: "veo", GEMINI_API_KEY: "g", FAL_KEY: "f" }).loadCatalog();
    expect(catalog.defaults).toEqual({ image: "local-image-v1", video: "veo-3.1-generate-preview" });
    expect(catalog.entries.map((e) => e.provider)).toContain("fal");
    expect(catalog.entries.map((e) => e.provider)).not.toContain("replicate");
  });

  it("needs no key for the local models", async () => {
    expect((await loadEnv(base).loadCatalog()).entries.map((e) => e.id)).toEqual(["local-image-v1", "local-video-v1"]);
  });
});

describe("the generator's configuration", () => {
  it("sends no X-Webhook-Secret (the secret in clear) unless WEBHOOK_SEND_LEGACY_SECRET=true", () => {
    expect(loadEnv(base).sendLegacySecret).toBe(false);
    expect(loadEnv({ ...base, WEBHOOK_SEND_LEGACY_SECRET: "true" }).sendLegacySecret).toBe(true);
    expect(() => loadEnv({ ...base, WEBHOOK_SEND_LEGACY_SECRET: "yes" })).toThrow(/WEBHOOK_SEND_LEGACY_SECRET/);
  });

  it("listens on loopback unless told otherwise: only the web app calls it", () => {
    const env = loadEnv(base);
    expect(env.host).toBe("127.0.0.1");
    expect(loadEnv({ ...base, GENERATOR_HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });
});
