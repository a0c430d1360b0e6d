import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CatalogEntry } from "@sorami/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeA1111, startFakeA1111 } from "../../../../../e2e/support/fakes/a1111";
import { engineLoader } from "./setup";

const WORKFLOWS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../../examples/comfyui-workflows",
);

let a1111: FakeA1111;
beforeAll(async () => {
  a1111 = await startFakeA1111();
});
afterAll(async () => a1111?.close());

describe("engineLoader", () => {
  it("brings nothing when no engine URL is set", async () => {
    const engines = engineLoader({});
    expect(await engines.entries([])).toEqual([]);
    expect(engines.factories).toEqual({});
  });

  it("refuses COMFYUI_URLS without a workflow folder, and a malformed URL, naming the variable", async () => {
    await expect(engineLoader({ COMFYUI_URLS: "http://gpu-1:8188" }).entries([])).rejects.toThrow(
      /COMFYUI_WORKFLOWS_DIR is required/,
    );
    expect(() => engineLoader({ A1111_URLS: "gpu-1:7860" })).toThrow(/A1111_URLS: entry 1/);
  });

  it("makes one ComfyUI model per descriptor, each built by the comfyui factory", async () => {
    // No instance is asked at start: the descriptors alone declare the models.
    const engines = engineLoader({ COMFYUI_URLS: "http://127.0.0.1:9", COMFYUI_WORKFLOWS_DIR: WORKFLOWS });
    const entries = await engines.entries([]);
    expect(entries.map((e) => [e.id, e.provider]).sort()).toEqual([
      ["comfyui:sdxl-base", "comfyui"],
      ["comfyui:sdxl-img2img", "comfyui"],
    ]);
    const built = await engines.factories.comfyui?.(entries[0] as CatalogEntry);
    expect(built?.mode).toBe("async");
  });

  it("adds the checkpoints an A1111 server reports, unless the catalog file lists its own", async () => {
    const discovered = engineLoader({ A1111_URLS: a1111.url });
    const entries = await discovered.entries([]);
    expect(entries.map((e) => e.id)).toEqual(["a1111:sd_xl_base_1.0", "a1111:v1-5-pruned-emaonly"]);
    expect((await discovered.factories.a1111?.(entries[0] as CatalogEntry))?.mode).toBe("async");

    const listed = {
      ...(entries[0] as CatalogEntry),
      id: "a1111:house-style",
      options: { checkpoint: "sd_xl_base_1.0" },
    };
    const fromFile = engineLoader({ A1111_URLS: a1111.url });
    // The file's entries are in the catalog already: nothing more is added, and the factory builds them.
    expect(await fromFile.entries([listed])).toEqual([]);
    expect((await fromFile.factories.a1111?.(listed))?.mode).toBe("async");
  });
});
