import { type ImageParams, MEDIA_TYPES, sniffMediaType, type VideoParams } from "@sorami/contracts";
import { OUTPUT_MAX_BYTES, toImageFiles, toVideoFile } from "../outputs";
import { RemoteWorkFailed } from "../remote";
import { excerpt } from "../retry";
import type { GeneratedFile } from "../types";
import { type ComfyClient, type FileRef, fileRefSchema, type HistoryEntry } from "./client";
import type { ComfyTemplate } from "./loader";

/** Where output files are looked for when the descriptor names no key: SaveImage, VHS_VideoCombine, others. */
const OUTPUT_KEYS = ["images", "gifs", "videos", "video"] as const;

type Failure = { node_id?: unknown; node_type?: unknown; exception_message?: unknown; exception_type?: unknown };

/** A finished prompt that failed, as the error the job gets; null when it succeeded. */
export function failureOf(entry: HistoryEntry, workflow: string): RemoteWorkFailed | null {
  const status = entry.status;
  if (status?.status_str !== "error") {
    return null;
  }
  const find = (type: string) => status.messages.find(([t]) => t === type)?.[1] as Failure | undefined;
  const error = find("execution_error");
  if (error) {
    const where = `node ${String(error.node_id ?? "?")}${error.node_type ? ` (${String(error.node_type)})` : ""}`;
    const type = String(error.exception_type ?? "");
    const said = excerpt(String(error.exception_message ?? "no message"));
    // Out of memory depends on what else the GPU holds: worth another try; any other exception is the workflow's.
    const kind = /OutOfMemory/i.test(type) || /out of memory/i.test(said) ? "transient" : "invalid_request";
    return new RemoteWorkFailed(kind, `ComfyUI failed running ${workflow} at ${where}: ${said}`);
  }
  if (find("execution_interrupted")) {
    return new RemoteWorkFailed("transient", `ComfyUI's run of ${workflow} was interrupted on the ComfyUI side`);
  }
  return new RemoteWorkFailed("transient", `ComfyUI's run of ${workflow} ended in error without a message`);
}

/** The files the descriptor's output node produced, in order. */
export function outputRefs(entry: HistoryEntry, template: ComfyTemplate): FileRef[] {
  const out = entry.outputs[template.output.node];
  const keys = template.output.key ? [template.output.key] : OUTPUT_KEYS;
  for (const key of keys) {
    const list = out?.[key];
    if (Array.isArray(list) && list.length > 0) {
      const refs = list.map((item) => fileRefSchema.safeParse(item)).filter((r) => r.success);
      if (refs.length > 0) {
        return refs.map((r) => r.data);
      }
    }
  }
  throw new RemoteWorkFailed(
    "no_output",
    `ComfyUI finished ${template.workflowFile} but its output node ${template.output.node} produced no file`,
  );
}

/** Downloads the files and checks each is of the job's kind by its bytes (ComfyUI saves whatever the workflow says). */
async function download(client: ComfyClient, refs: FileRef[], kind: "image" | "video", signal: AbortSignal) {
  const downloads = [];
  for (const ref of refs) {
    const bytes = await client.view(ref, OUTPUT_MAX_BYTES[kind], signal);
    const type = sniffMediaType(bytes);
    if (!type || MEDIA_TYPES[type].kind !== kind) {
      throw new RemoteWorkFailed(
        "no_output",
        kind === "image"
          ? `ComfyUI's output ${ref.filename} is not a PNG, JPEG or WEBP image`
          : `ComfyUI's output ${ref.filename} is not an MP4 or WEBM video; save the workflow's video as one (SaveVideo with format mp4, or VHS Video Combine with video/h264-mp4)`,
      );
    }
    downloads.push({ bytes, type });
  }
  return downloads;
}

/** The images, in the requested size and format (ComfyUI saves PNGs at the latent's size). */
export async function imageFiles(
  client: ComfyClient,
  refs: FileRef[],
  params: ImageParams,
  signal: AbortSignal,
): Promise<GeneratedFile[]> {
  return toImageFiles(await download(client, refs.slice(0, params.num_images), "image", signal), params);
}

/** The videos, each with its poster frame. */
export async function videoFiles(
  client: ComfyClient,
  refs: FileRef[],
  params: VideoParams,
  signal: AbortSignal,
): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const video of await download(client, refs.slice(0, params.number_of_videos), "video", signal)) {
    files.push(await toVideoFile(video, params, signal, "ComfyUI"));
  }
  return files;
}
