import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";

/**
 * The part of ComfyUI's execution.py the stand-in needs: the node classes of
 * the shipped example workflows (and a video pair), validation with the
 * exact refusal shapes of `POST /prompt`, and a cheap "execution" that makes
 * real files of the sizes the graph asks for.
 */

export type Graph = Record<string, { class_type?: string; inputs?: Record<string, unknown> }>;

type Spec = { required: string[]; output?: boolean; sampler?: boolean };
/** Required inputs as in each class's INPUT_TYPES (nodes.py, comfy_extras). */
export const NODE_CLASSES: Record<string, Spec> = {
  CheckpointLoaderSimple: { required: ["ckpt_name"] },
  CLIPTextEncode: { required: ["text", "clip"] },
  EmptyLatentImage: { required: ["width", "height", "batch_size"] },
  KSampler: {
    required: ["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative", "latent_image"],
    sampler: true,
  },
  VAEDecode: { required: ["samples", "vae"] },
  VAEEncode: { required: ["pixels", "vae"] },
  LoadImage: { required: ["image"] },
  ImageScale: { required: ["image", "upscale_method", "width", "height", "crop"] },
  RepeatLatentBatch: { required: ["samples", "amount"] },
  SaveImage: { required: ["images", "filename_prefix"], output: true },
  PreviewImage: { required: ["images"], output: true },
  CreateVideo: { required: ["images", "fps"] },
  SaveVideo: { required: ["video", "filename_prefix", "format", "codec"], output: true },
  SaveAnimatedWEBP: { required: ["images", "filename_prefix", "fps", "lossless", "quality", "method"], output: true },
};

type Reason = { type: string; message: string; details: string; extra_info: Record<string, unknown> };
export type Refusal = { status: 400; json: { error: Reason; node_errors: Record<string, unknown> } };

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === "string";

/** validate_prompt: the first refusal ComfyUI would give, or the output nodes to execute. */
export function validateGraph(
  graph: Graph,
  known: { checkpoints: string[]; inputs: Set<string> },
): { outputs: string[] } | Refusal {
  const invalid = (message: string, details: string): Refusal => ({
    status: 400,
    json: { error: { type: "invalid_prompt", message, details, extra_info: {} }, node_errors: {} },
  });
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(graph)) {
    if (!node?.class_type) {
      return invalid("Cannot execute because a node is missing the class_type property.", `Node ID '#${id}'`);
    }
    const spec = NODE_CLASSES[node.class_type];
    if (!spec) {
      return invalid(`Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`);
    }
    if (spec.output) {
      outputs.push(id);
    }
  }
  if (outputs.length === 0) {
    return {
      status: 400,
      json: {
        error: { type: "prompt_no_outputs", message: "Prompt has no outputs", details: "", extra_info: {} },
        node_errors: {},
      },
    };
  }
  const nodeErrors: Record<string, { errors: Reason[]; dependent_outputs: string[]; class_type: string }> = {};
  const check = (id: string, output: string, seen: Set<string>) => {
    const node = graph[id];
    if (!node || seen.has(id)) {
      return;
    }
    seen.add(id);
    const cls = node.class_type as string;
    const inputs = node.inputs ?? {};
    const errors: Reason[] = [];
    for (const name of NODE_CLASSES[cls]?.required ?? []) {
      const value = inputs[name];
      if (value === undefined) {
        errors.push({
          type: "required_input_missing",
          message: "Required input is missing",
          details: name,
          extra_info: { input_name: name },
        });
      } else if (isLink(value)) {
        check(value[0], output, seen);
      }
    }
    if (cls === "CheckpointLoaderSimple" && !known.checkpoints.includes(String(inputs.ckpt_name))) {
      errors.push({
        type: "value_not_in_list",
        message: "Value not in list",
        details: `ckpt_name: '${String(inputs.ckpt_name)}' not in ${JSON.stringify(known.checkpoints)}`,
        extra_info: { input_name: "ckpt_name", received_value: inputs.ckpt_name },
      });
    }
    if (cls === "LoadImage" && !known.inputs.has(String(inputs.image))) {
      errors.push({
        type: "custom_validation_failed",
        message: "Custom validation failed for node",
        details: `image - Invalid image file: ${String(inputs.image)}`,
        extra_info: { input_name: "image" },
      });
    }
    if (errors.length > 0) {
      const entry = nodeErrors[id] ?? { errors, dependent_outputs: [], class_type: cls };
      entry.dependent_outputs.push(output);
      nodeErrors[id] = entry;
    }
  };
  for (const output of outputs) {
    check(output, output, new Set());
  }
  if (Object.keys(nodeErrors).length > 0) {
    const details = Object.values(nodeErrors)
      .flatMap((e) => e.errors.map((r) => `${r.message}: ${r.details}`))
      .join("\n");
    return {
      status: 400,
      json: {
        error: {
          type: "prompt_outputs_failed_validation",
          message: "Prompt outputs failed validation",
          details,
          extra_info: {},
        },
        node_errors: nodeErrors,
      },
    };
  }
  return { outputs };
}

/** Nodes in the order ComfyUI would run them to produce `outputs` (dependencies first). */
export function executionOrder(graph: Graph, outputs: string[]): string[] {
  const order: string[] = [];
  const visit = (id: string) => {
    if (order.includes(id) || !graph[id]) {
      return;
    }
    for (const value of Object.values(graph[id].inputs ?? {})) {
      if (isLink(value)) {
        visit(value[0]);
      }
    }
    order.push(id);
  };
  for (const o of outputs) {
    visit(o);
  }
  return order;
}

/** What flows along a link in the stand-in: sizes, batch, seed, and the pixels an image came from. */
export type Value = {
  width: number;
  height: number;
  batch: number;
  seed?: number;
  source?: Buffer;
  text?: string;
  fps?: number;
};

export function linked(graph: Graph, values: Map<string, Value>, id: string, input: string): Value | undefined {
  const v = graph[id]?.inputs?.[input];
  return isLink(v) ? values.get(v[0]) : undefined;
}

/** One output image: the input image's pixels resized (image-to-image), else a colour from the seed. */
export async function makePng(value: Value, index: number): Promise<Buffer> {
  const { width, height } = value;
  if (value.source) {
    return sharp(value.source).resize(width, height, { fit: "cover" }).png().toBuffer();
  }
  const seed = (value.seed ?? 0) + index;
  const background = { r: (seed * 67) % 256, g: (seed * 131) % 256, b: (seed * 29) % 256 };
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

/** A real H.264 MP4 of `frames / fps` seconds, made by the ffmpeg inside @ffmpeg-installer. */
export async function makeMp4(value: Value): Promise<Buffer> {
  const { path: ffmpeg } = createRequire(import.meta.url)("@ffmpeg-installer/ffmpeg") as { path: string };
  const dir = await mkdtemp(path.join(os.tmpdir(), "fake-comfyui-"));
  const out = path.join(dir, "out.mp4");
  const seconds = Math.max(0.2, value.batch / (value.fps ?? 8));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        ffmpeg,
        [
          ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
          ...["-i", `color=c=teal:s=${value.width}x${value.height}:d=${seconds}:r=${value.fps ?? 8}`],
          ...["-c:v", "libx264", "-pix_fmt", "yuv420p", out],
        ],
        { stdio: "ignore" },
      );
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
