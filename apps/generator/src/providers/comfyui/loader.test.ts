import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rejection } from "../engines/testing";
import { loadComfyWorkflows, WORKFLOW_FILE_MAX_BYTES, WorkflowConfigError } from "./loader";

/** The examples shipped in the repo, copied into a scratch folder each test may break. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../../../../examples/comfyui-workflows");
let dir: string;
afterEach(async () => {
  if (dir) {
    await rm(dir, { recursive: true, force: true });
  }
});

async function scratch(): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), "sorami-workflows-"));
  await cp(EXAMPLES, dir, { recursive: true });
  return dir;
}
async function edit(file: string, change: (json: Record<string, unknown>) => void) {
  const full = path.join(dir, file);
  const json = JSON.parse(await readFile(full, "utf8"));
  change(json);
  await writeFile(full, JSON.stringify(json));
}
async function problems(): Promise<{ file: string; field: string; message: string }[]> {
  const error = await rejection(loadComfyWorkflows(dir));
  expect(error).toBeInstanceOf(WorkflowConfigError);
  return (error as WorkflowConfigError).problems;
}

describe("ComfyUI workflow descriptors", () => {
  it("loads the two shipped examples as catalog entries with their compiled templates", async () => {
    const models = await loadComfyWorkflows(EXAMPLES);
    expect(models.map((m) => m.entry.id)).toEqual(["comfyui:sdxl-img2img", "comfyui:sdxl-base"]);
    const [img2img, txt2img] = models;
    expect(txt2img?.entry).toMatchObject({
      kind: "image",
      provider: "comfyui",
      capabilities: { input_image: "none", negative_prompt: true, seed: true, num_images: { min: 1, max: 4 } },
      options: { descriptor: "sdxl-txt2img.sorami.json", workflow: "sdxl-txt2img.json" },
    });
    expect(img2img?.entry.capabilities).toMatchObject({ input_image: "required" });
    expect(txt2img?.template.inputs.seed).toEqual([{ node: "3", input: "seed" }]);
    expect(txt2img?.template.graph["9"]?.class_type).toBe("SaveImage");
    expect(img2img?.template.inputs.input_image).toEqual([{ node: "10", input: "image" }]);
  });

  it("names the file and field of a node id the workflow does not have", async () => {
    await scratch();
    await edit("sdxl-txt2img.sorami.json", (d) => {
      (d.inputs as Record<string, unknown>).seed = { node: "31", input: "seed" };
    });
    expect(await problems()).toEqual([
      { file: "sdxl-txt2img.sorami.json", field: "inputs.seed.node", message: 'node "31" is not in sdxl-txt2img.json' },
    ]);
  });

  it("names an input the node does not have, listing the ones it has", async () => {
    await scratch();
    await edit("sdxl-txt2img.sorami.json", (d) => {
      (d.inputs as Record<string, unknown>).steps = { node: "3", input: "step" };
    });
    const [problem] = await problems();
    expect(problem?.field).toBe("inputs.steps.input");
    expect(problem?.message).toContain('node "3" (KSampler) has no input "step"; it has seed, steps, cfg');
  });

  it("refuses mapping an input that is linked to another node", async () => {
    await scratch();
    await edit("sdxl-txt2img.sorami.json", (d) => {
      (d.inputs as Record<string, unknown>).prompt = { node: "3", input: "positive" };
    });
    const [problem] = await problems();
    expect(problem).toMatchObject({ field: "inputs.prompt.input" });
    expect(problem?.message).toContain("is linked to another node");
  });

  it("names a missing output node", async () => {
    await scratch();
    await edit("sdxl-img2img.sorami.json", (d) => {
      d.output = { node: "99" };
    });
    expect(await problems()).toEqual([
      { file: "sdxl-img2img.sorami.json", field: "output.node", message: 'node "99" is not in sdxl-img2img.json' },
    ]);
  });

  it("reports every broken file at once, with zod's field paths for the descriptor's own shape", async () => {
    await scratch();
    await edit("sdxl-txt2img.sorami.json", (d) => {
      d.kind = "audio";
    });
    await edit("sdxl-img2img.sorami.json", (d) => {
      (d.capabilities as Record<string, unknown>).num_images = { min: 3, max: 1 };
      d.id = "has spaces";
    });
    const found = await problems();
    expect(found.map((p) => `${p.file} ${p.field}`).sort()).toEqual([
      "sdxl-img2img.sorami.json capabilities.num_images",
      "sdxl-img2img.sorami.json id",
      "sdxl-txt2img.sorami.json kind",
    ]);
  });

  it("refuses capabilities the mapping cannot serve, and mappings no capability offers", async () => {
    await scratch();
    await edit("sdxl-txt2img.sorami.json", (d) => {
      delete (d.inputs as Record<string, unknown>).negative_prompt;
      delete (d.inputs as Record<string, unknown>).batch_size;
      delete (d.capabilities as Record<string, unknown>).steps;
    });
    expect((await problems()).map((p) => p.field).sort()).toEqual([
      "capabilities.steps",
      "inputs.batch_size",
      "inputs.negative_prompt",
    ]);
  });

  it("explains a workflow saved in the UI format instead of the API format", async () => {
    await scratch();
    await writeFile(path.join(dir, "sdxl-txt2img.json"), JSON.stringify({ nodes: [], links: [], version: 0.4 }));
    const [problem] = await problems();
    expect(problem).toMatchObject({ file: "sdxl-txt2img.sorami.json", field: "workflow" });
    expect(problem?.message).toContain("UI format");
  });

  it("names a descriptor that is not JSON, a workflow that is missing, and a repeated id", async () => {
    await scratch();
    await writeFile(path.join(dir, "broken.sorami.json"), "{ not json");
    await edit("sdxl-img2img.sorami.json", (d) => {
      d.id = "comfyui:sdxl-base";
    });
    await cp(path.join(dir, "sdxl-txt2img.sorami.json"), path.join(dir, "ghost.sorami.json"));
    await edit("ghost.sorami.json", (d) => {
      d.id = "comfyui:ghost";
      d.workflow = "ghost.json";
    });
    const found = await problems();
    expect(found.find((p) => p.file === "broken.sorami.json")?.message).toContain("is not valid JSON");
    expect(found.find((p) => p.file === "ghost.sorami.json")).toEqual({
      file: "ghost.sorami.json",
      field: "workflow",
      message: "ghost.json does not exist",
    });
    expect(found.find((p) => p.field === "id")?.message).toContain("is already the id of");
  });

  it("refuses a workflow file larger than WORKFLOW_FILE_MAX_BYTES without parsing it", async () => {
    await scratch();
    await writeFile(path.join(dir, "sdxl-txt2img.json"), " ".repeat(WORKFLOW_FILE_MAX_BYTES + 1));
    const [problem] = await problems();
    expect(problem).toEqual({
      file: "sdxl-txt2img.sorami.json",
      field: "workflow",
      message: `sdxl-txt2img.json is larger than ${WORKFLOW_FILE_MAX_BYTES} bytes`,
    });
  });

  it("refuses a folder without descriptors", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sorami-workflows-"));
    const [problem] = await problems();
    expect(problem?.message).toContain("has no *.sorami.json descriptor");
  });
});
