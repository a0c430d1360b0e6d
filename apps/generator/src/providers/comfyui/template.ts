import {
  type ImageCapabilities,
  type ImageParams,
  parseSize,
  type VideoCapabilities,
  type VideoParams,
} from "@sorami/contracts";
import { knobsOf, knobValue } from "../engines/params";
import { aspectRatioOf } from "../mapping";
import type { ComfyGraph, MappableInput } from "./descriptor";
import type { ComfyTemplate } from "./loader";

/** What one job puts into a workflow, recorded in the job's metadata. */
export type Filled = { graph: ComfyGraph; values: Partial<Record<MappableInput, unknown>> };

/** The style the form offers, as words a text encoder reads ("oil-painting" → "oil painting style"). */
const styled = (prompt: string, style: string) => `${prompt}, ${style.replaceAll("-", " ")} style`;

function fill(template: ComfyTemplate, values: Partial<Record<MappableInput, unknown>>): Filled {
  const graph = structuredClone(template.graph) as ComfyGraph;
  const used: Partial<Record<MappableInput, unknown>> = {};
  for (const [key, value] of Object.entries(values) as [MappableInput, unknown][]) {
    const targets = template.inputs[key];
    if (value === undefined || value === null || !targets) {
      continue;
    }
    for (const t of targets) {
      const node = graph[t.node];
      if (node) {
        node.inputs[t.input] = value;
      }
    }
    used[key] = value;
  }
  return { graph, values: used };
}

/**
 * An image workflow for one job. A parameter the descriptor does not map is
 * left as the workflow has it; steps and guidance fall back to the model's
 * defaults; a negative prompt the user left empty keeps the workflow's own.
 */
export function fillImageWorkflow(
  template: ComfyTemplate,
  capabilities: ImageCapabilities,
  params: ImageParams,
  job: { seed: number; inputImageName?: string },
): Filled {
  const knobs = knobsOf(params);
  const { width, height } = parseSize(params.size);
  return fill(template, {
    prompt: styled(params.prompt, params.style),
    negative_prompt: knobs.negative_prompt,
    seed: job.seed,
    steps: knobValue(capabilities.steps, knobs.steps),
    guidance: knobValue(capabilities.guidance, knobs.guidance),
    width,
    height,
    aspect_ratio: aspectRatioOf(params.size),
    batch_size: params.num_images,
    input_image: job.inputImageName,
  });
}

/** A video workflow for one job: the size from the descriptor's video_sizes, frames from duration × fps. */
export function fillVideoWorkflow(
  template: ComfyTemplate,
  _capabilities: VideoCapabilities,
  params: VideoParams,
  job: { seed: number; inputImageName?: string },
): Filled {
  const size = template.videoSizes?.[params.aspect_ratio];
  return fill(template, {
    prompt: params.prompt,
    negative_prompt: params.negative_prompt?.trim() ? params.negative_prompt : undefined,
    seed: job.seed,
    width: size?.width,
    height: size?.height,
    aspect_ratio: params.aspect_ratio,
    batch_size: params.number_of_videos,
    duration_seconds: params.duration_seconds,
    frames: template.fps ? Math.round(params.duration_seconds * template.fps) : undefined,
    input_image: job.inputImageName,
  });
}
