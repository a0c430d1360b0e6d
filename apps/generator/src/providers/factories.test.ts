import { readFile } from "node:fs/promises";
import { BUILT_IN_MODELS, type CatalogEntry, catalogEntrySchema, imageParamsSchema } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCompatible, startFakeCompatible } from "../../../../e2e/support/fakes/openai-compatible";
import { bflFactory, falFactory, openAICompatibleFactory, replicateFactory } from "./factories";

let localai: FakeCompatible;
beforeAll(async () => {
  localai = await startFakeCompatible({ models: ["sd"] });
});
afterAll(async () => localai?.close());

const byProvider = (provider: string) => BUILT_IN_MODELS.filter((e) => e.provider === provider);

describe("provider factories", () => {
  it("build one provider per catalog entry, in the mode the pipeline drives it", async () => {
    const cases = [
      [falFactory({ key: "k", baseUrl: "http://127.0.0.1:9" }), byProvider("fal"), "fal"],
      [replicateFactory({ token: "t", baseUrl: "http://127.0.0.1:9/v1" }), byProvider("replicate"), "replicate"],
      [bflFactory({ key: "k", baseUrl: "http://127.0.0.1:9" }), byProvider("bfl"), "bfl"],
    ] as const;
    for (const [factory, entries, name] of cases) {
      expect(entries.length).toBeGreaterThan(1);
      for (const entry of entries) {
        const built = await factory(entry);
        expect([entry.id, built.mode, built.provider.name]).toEqual([entry.id, "async", name]);
      }
    }
  });

  it("gives each OpenAI-compatible entry its own server, and refuses an unknown one", async () => {
    const entry = (server: string): CatalogEntry =>
      catalogEntrySchema.parse({
        id: `m-${server}`,
        kind: "image",
        provider: "openai-compatible",
        label: "m",
        capabilities: { sizes: ["256x256"], formats: ["PNG"], num_images: { min: 1, max: 1 }, input_image: "none" },
        options: { server, model: "sd", response_format: "b64_json" },
      });
    const factory = openAICompatibleFactory([{ name: "localai", baseUrl: localai.url }]);
    const built = await factory(entry("localai"));
    expect(built.mode).toBe("sync");
    const params = imageParamsSchema.parse({ prompt: "cat", size: "256x256" });
    const ctx = { jobId: "j", attempt: 1, signal: new AbortController().signal };
    const out = built.mode === "sync" ? await built.provider.generate(params, ctx) : null;
    expect(out?.files).toHaveLength(1);
    await expect(factory(entry("elsewhere"))).rejects.toThrow(
      "model m-elsewhere names server elsewhere, which is not configured",
    );
  });

  it("loads no provider module or SDK until an entry is built (idle footprint)", async () => {
    const source = await readFile(new URL("./factories.ts", import.meta.url), "utf8");
    const staticImports = [...source.matchAll(/^import (?!type )[^;]*from "([^"]+)"/gm)].map((m) => m[1]);
    expect(staticImports).toEqual([]);
  });
});
