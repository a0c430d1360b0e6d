import { type CatalogEntry, catalogEntrySchema } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import {
  A1111_DEFAULT_CAPABILITIES,
  A1111CatalogError,
  a1111ModelId,
  checkListedEntries,
  entriesFromSdModels,
} from "./catalog";

const listed = (over: Record<string, unknown>): CatalogEntry =>
  catalogEntrySchema.parse({
    id: "a1111:juggernaut",
    kind: "image",
    provider: "a1111",
    label: "Juggernaut XL",
    capabilities: A1111_DEFAULT_CAPABILITIES,
    options: { checkpoint: "juggernautXL_v9" },
    ...over,
  });

describe("A1111 catalog entries", () => {
  it("makes catalog ids from checkpoint names an id may not hold as they are", () => {
    expect(a1111ModelId("sd_xl_base_1.0")).toBe("a1111:sd_xl_base_1.0");
    expect(a1111ModelId("SDXL\\Realistic Vision V6.0 (B1)")).toBe("a1111:SDXL/Realistic-Vision-V6.0-B1-");
    expect(a1111ModelId("  ~odd")).toBe("a1111:odd");
  });

  it("makes one entry per reported checkpoint, each naming its title as the checkpoint", () => {
    const entries = entriesFromSdModels([
      { title: "a.safetensors [1]", model_name: "a", filename: "/m/a.safetensors" },
      { title: "a.ckpt [2]", model_name: "a", filename: "/m/a.ckpt" },
      { title: "b [3]", model_name: "b", filename: "/m/b.safetensors" },
    ]);
    expect(entries.map((e) => [e.id, e.options.checkpoint])).toEqual([
      ["a1111:a", "a.safetensors [1]"],
      ["a1111:b", "b [3]"],
    ]);
  });

  it("checks the catalog file's A1111 entries, naming the entry and the field", () => {
    expect(checkListedEntries([listed({})])[0]?.options).toEqual({ checkpoint: "juggernautXL_v9" });
    const refusal = (entry: CatalogEntry) => {
      try {
        checkListedEntries([entry]);
      } catch (error) {
        expect(error).toBeInstanceOf(A1111CatalogError);
        return (error as Error).message;
      }
      throw new Error("expected a refusal");
    };
    expect(refusal(listed({ options: {} }))).toBe(
      "A1111 model a1111:juggernaut: options.checkpoint: Invalid input: expected string, received undefined",
    );
    expect(refusal(listed({ options: { checkpoint: "x", denoising_strength: 2 } }))).toContain(
      "options.denoising_strength",
    );
    expect(refusal(listed({ options: { checkpoint: "x", cfg: 1 } }))).toContain("options: Unrecognized key");
  });
});
