import path from "node:path";
import { catalogEntrySchema } from "@sorami/contracts";
import { describe, expect, it } from "vitest";
import { rejection } from "../engines/testing";
import { comfyInstancesFromEnv, comfyuiEntryFactory, createComfyUI } from "./index";

const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");

describe("the ComfyUI setup the wiring builds", () => {
  it("gives one catalog entry and one AsyncProvider per descriptor, and refuses ComfyUI entries from elsewhere", async () => {
    const setup = await createComfyUI({
      instances: comfyInstancesFromEnv({ COMFYUI_URLS: "http://gpu-1:8188,http://gpu-2:8188" }),
      workflowsDir: EXAMPLES,
    });
    expect(setup.entries.map((e) => e.id)).toEqual(["comfyui:sdxl-img2img", "comfyui:sdxl-base"]);
    const factory = comfyuiEntryFactory(setup);
    const built = await factory(setup.entries[1] as (typeof setup.entries)[1] & {});
    expect(built.mode).toBe("async");
    expect(built.provider.name).toBe("comfyui");
    const stray = catalogEntrySchema.parse({ ...setup.entries[1], id: "comfyui:from-models-file" });
    expect((await rejection(factory(stray))).message).toContain(
      "come from workflow descriptors in COMFYUI_WORKFLOWS_DIR",
    );
  });
});
