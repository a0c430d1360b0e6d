import { BUILT_IN_MODELS, type CatalogEntry } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import type { EntryFactory } from "./factories";
import { createModelRegistry, ModelNotActive } from "./registry";
import { ProviderError } from "./types";

const entries = BUILT_IN_MODELS.filter((e) => e.provider === "local" || e.provider === "fal");
const defaults = { image: "local-image-v1", video: "local-video-v1" };

/** A factory that records which entries it built (a provider's module loads only then). */
function counting(): { factory: EntryFactory; built: string[] } {
  const built: string[] = [];
  return {
    built,
    factory: async (entry: CatalogEntry) => {
      built.push(entry.id);
      return {
        mode: "sync",
        provider: { name: entry.provider, model: entry.id, generate: async () => ({ files: [], metadata: {} }) },
      };
    },
  };
}

describe("the model registry", () => {
  it("builds a model's provider the first time a job needs it, once, and shows every active model", async () => {
    const local = counting();
    const fal = counting();
    const registry = createModelRegistry({ entries, defaults }, { local: local.factory, fal: fal.factory });
    expect([local.built, fal.built]).toEqual([[], []]);
    const schnell = registry.entry("fal-ai/flux/schnell") as CatalogEntry;
    await Promise.all([registry.provider(schnell), registry.provider(schnell)]);
    expect([local.built, fal.built]).toEqual([[], ["fal-ai/flux/schnell"]]);
    expect(registry.views().map((v) => [v.id, v.default])).toContainEqual(["local-image-v1", true]);
    expect(registry.views().find((v) => v.id === "fal-ai/flux/schnell")).not.toHaveProperty("options");
  });

  it("gives a job its own model, a job from before the catalog its kind's default, and refuses another", () => {
    const registry = createModelRegistry({ entries, defaults }, { local: counting().factory, fal: counting().factory });
    expect(registry.entryFor("image", "fal-ai/flux/dev").id).toBe("fal-ai/flux/dev");
    expect(registry.entryFor("video", null).id).toBe("local-video-v1");
    const gone = (() => {
      try {
        registry.entryFor("image", "gpt-image-1");
      } catch (e) {
        return e;
      }
    })();
    expect(gone).toBeInstanceOf(ModelNotActive);
    expect((gone as ProviderError).kind).toBe("invalid_request");
    expect(() => registry.entryFor("image", "local-video-v1")).toThrow(ProviderError);
  });

  it("refuses to start with an active model whose provider this generator cannot run", () => {
    expect(() => createModelRegistry({ entries, defaults }, { local: counting().factory })).toThrow(
      "model fal-ai/flux/schnell is active but this generator has no fal provider",
    );
  });
});
