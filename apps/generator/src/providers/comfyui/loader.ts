import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { CatalogEntry } from "@sorami/contracts";
import { ZodError } from "zod";
import {
  asApiGraph,
  type ComfyGraph,
  checkAgainstGraph,
  checkCapabilities,
  type Descriptor,
  descriptorSchema,
  entryOf,
  fieldPath,
  type MappableInput,
  type Problem,
  type Target,
} from "./descriptor";

/** Descriptors are the files ending in this; every other file in the folder is a workflow or ignored. */
export const DESCRIPTOR_SUFFIX = ".sorami.json";
/** A descriptor or workflow larger than this is not a workflow (API-format graphs are tens of KiB). */
export const WORKFLOW_FILE_MAX_BYTES = 2 * 1024 * 1024;

/** What a descriptor compiles to: the graph to fill for each job and where each parameter goes. */
export type ComfyTemplate = {
  descriptorFile: string;
  workflowFile: string;
  graph: Readonly<ComfyGraph>;
  inputs: Partial<Record<MappableInput, Target[]>>;
  output: { node: string; key?: string };
  fps?: number;
  videoSizes?: Partial<Record<string, { width: number; height: number }>>;
};

export type ComfyModel = { entry: CatalogEntry; template: ComfyTemplate };

/** Every mistake found in the workflows folder, each naming its file and field; start-up refuses. */
export class WorkflowConfigError extends Error {
  constructor(readonly problems: { file: string; field: string; message: string }[]) {
    super(
      `ComfyUI workflows are not valid:\n${problems.map((p) => `  ${p.file}: ${p.field ? `${p.field}: ` : ""}${p.message}`).join("\n")}`,
    );
    this.name = "WorkflowConfigError";
  }
}

async function readJsonFile(file: string): Promise<{ json?: unknown; problem?: string }> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > WORKFLOW_FILE_MAX_BYTES) {
      return { problem: `is larger than ${WORKFLOW_FILE_MAX_BYTES} bytes` };
    }
    text = bytes.toString("utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})` };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (error) {
    return { problem: `is not valid JSON: ${(error as Error).message}` };
  }
}

const parseSize = (s: string) => {
  const [w, h] = s.split("x").map(Number);
  return { width: w ?? 0, height: h ?? 0 };
};

/** Reads one descriptor and its workflow; returns the compiled model or the problems found. */
async function loadOne(dir: string, file: string): Promise<{ model?: ComfyModel; problems: Problem[] }> {
  const read = await readJsonFile(path.join(dir, file));
  if (read.problem) {
    return { problems: [{ field: "", message: read.problem }] };
  }
  let d: Descriptor;
  try {
    d = descriptorSchema.parse(read.json);
  } catch (error) {
    if (error instanceof ZodError) {
      return { problems: error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) };
    }
    throw error;
  }
  const workflow = await readJsonFile(path.join(dir, d.workflow));
  if (workflow.problem) {
    return { problems: [{ field: "workflow", message: `${d.workflow} ${workflow.problem}` }] };
  }
  const graph = asApiGraph(workflow.json);
  if (typeof graph === "string") {
    return { problems: [{ field: "workflow", message: `${d.workflow} ${graph}` }] };
  }
  const problems = [...checkAgainstGraph(d, graph, d.workflow), ...checkCapabilities(d)];
  if (problems.length > 0) {
    return { problems };
  }
  let entry: CatalogEntry;
  try {
    entry = entryOf(d, file);
  } catch (error) {
    if (error instanceof ZodError) {
      return { problems: error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })) };
    }
    throw error;
  }
  const videoSizes =
    d.kind === "video" && d.video_sizes
      ? Object.fromEntries(Object.entries(d.video_sizes).map(([ratio, size]) => [ratio, parseSize(size)]))
      : undefined;
  return {
    problems: [],
    model: {
      entry,
      template: {
        descriptorFile: file,
        workflowFile: d.workflow,
        graph: Object.freeze(structuredClone(graph)),
        inputs: d.inputs,
        output: d.output,
        ...(d.kind === "video" && d.fps ? { fps: d.fps } : {}),
        ...(videoSizes ? { videoSizes } : {}),
      },
    },
  };
}

/**
 * Loads every `*.sorami.json` descriptor in COMFYUI_WORKFLOWS_DIR with its
 * workflow, checked against each other: unknown node ids, inputs not on a
 * node, a missing output node, capabilities the mapping cannot serve. Every
 * problem is collected, then thrown at once (WorkflowConfigError) so an
 * operator fixes them in one pass.
 */
export async function loadComfyWorkflows(dir: string): Promise<ComfyModel[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(DESCRIPTOR_SUFFIX)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WorkflowConfigError([
      { file: dir, field: "", message: code === "ENOENT" ? "no such folder" : `cannot be read (${code})` },
    ]);
  }
  if (names.length === 0) {
    throw new WorkflowConfigError([{ file: dir, field: "", message: `has no *${DESCRIPTOR_SUFFIX} descriptor` }]);
  }
  const problems: { file: string; field: string; message: string }[] = [];
  const models: ComfyModel[] = [];
  const ids = new Map<string, string>();
  for (const file of names) {
    const result = await loadOne(dir, file);
    problems.push(...result.problems.map((p) => ({ file, ...p })));
    if (result.model) {
      const other = ids.get(result.model.entry.id);
      if (other) {
        problems.push({ file, field: "id", message: `"${result.model.entry.id}" is already the id of ${other}` });
        continue;
      }
      ids.set(result.model.entry.id, file);
      models.push(result.model);
    }
  }
  if (problems.length > 0) {
    throw new WorkflowConfigError(problems);
  }
  return models;
}
