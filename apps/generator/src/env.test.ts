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

  it("takes keys and other endpoints for the providers it runs", () => {
    const env = loadEnv({
      ...base,
      IMAGE_PROVIDER: "openai",
      VIDEO_PROVIDER: "veo",
      GEMINI_API_KEY: "g-key",
      OPENAI_API_KEY: "o-key",
      OPENAI_BASE_URL: "http://127.0.0.1:1234/v1",
    });
    expect(env.providers).toMatchObject({ image: { name: "openai" }, video: { name: "veo" } });
    expect(env.openai).toEqual({ apiKey: "o-key", baseUrl: "http://127.0.0.1:1234/v1" });
    expect(env.gemini).toEqual({ apiKey: "g-key", baseUrl: undefined });
  });

  it("needs no key for the local providers", () => {
    expect(loadEnv(base).providers).toMatchObject({ image: { name: "local" }, video: { name: "local" } });
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
