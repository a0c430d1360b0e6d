import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ImageParams, sniffImageType, type VideoParams } from "@sorami/contracts";
import { requestedImageFile } from "../encode";
import { SpentHandleError } from "../engines/errors";
import { videoWithPoster } from "../ffmpeg";
import { excerpt } from "../retry";
import { type GeneratedFile, ProviderError } from "../types";
import { type ComfyClient, type FileRef, fileRefSchema, type HistoryEntry } from "./client";
import type { ComfyTemplate } from "./loader";

/** An output image larger than this is refused (a 2048² 16-bit PNG is ~25 MB). */
export const IMAGE_OUTPUT_MAX_BYTES = 64 * 1024 * 1024;
/** An output video larger than this is refused: the pipeline holds each file in memory before storing it. */
export const VIDEO_OUTPUT_MAX_BYTES = 512 * 1024 * 1024;
/** Where output files are looked for when the descriptor names no key: SaveImage, VHS_VideoCombine, others. */
const OUTPUT_KEYS = ["images", "gifs", "videos", "video"] as const;

type Failure = { node_id?: unknown; node_type?: unknown; exception_message?: unknown; exception_type?: unknown };

/** A finished prompt that failed, as the error the job gets; null when it succeeded. */
export function failureOf(entry: HistoryEntry, workflow: string): SpentHandleError | null {
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
    return new SpentHandleError(kind, `ComfyUI failed running ${workflow} at ${where}: ${said}`);
  }
  if (find("execution_interrupted")) {
    return new SpentHandleError("transient", `ComfyUI's run of ${workflow} was interrupted on the ComfyUI side`);
  }
  return new SpentHandleError("transient", `ComfyUI's run of ${workflow} ended in error without a message`);
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
  throw new SpentHandleError(
    "no_output",
    `ComfyUI finished ${template.workflowFile} but its output node ${template.output.node} produced no file`,
  );
}

/** Downloads the images and brings each to the requested size and format (ComfyUI saves PNGs at the latent's size). */
export async function imageFiles(
  client: ComfyClient,
  refs: FileRef[],
  params: ImageParams,
  signal: AbortSignal,
): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const ref of refs.slice(0, params.num_images)) {
    const bytes = await client.view(ref, IMAGE_OUTPUT_MAX_BYTES, signal);
    if (!sniffImageType(bytes)) {
      throw new ProviderError("no_output", `ComfyUI's output ${ref.filename} is not a PNG, JPEG or WEBP image`);
    }
    files.push(await requestedImageFile(bytes, params));
  }
  return files;
}

const isMp4 = (b: Buffer) => b.length > 12 && b.subarray(4, 8).toString("latin1") === "ftyp";

/** Downloads the videos (MP4 only: what Sorami stores and browsers play) with a poster frame each. */
export async function videoFiles(
  client: ComfyClient,
  refs: FileRef[],
  params: VideoParams,
  signal: AbortSignal,
): Promise<GeneratedFile[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sorami-comfyui-"));
  try {
    const files: GeneratedFile[] = [];
    for (const [i, ref] of refs.slice(0, params.number_of_videos).entries()) {
      const data = await client.view(ref, VIDEO_OUTPUT_MAX_BYTES, signal);
      if (!isMp4(data)) {
        throw new SpentHandleError(
          "no_output",
          `ComfyUI's output ${ref.filename} is not an MP4 video; save the workflow's video as MP4 (SaveVideo with format mp4, or VHS Video Combine with video/h264-mp4)`,
        );
      }
      const file = path.join(dir, `video_${i + 1}.mp4`);
      await writeFile(file, data);
      const poster = path.join(dir, `poster_${i + 1}.jpg`);
      files.push(
        await videoWithPoster({ path: file, data }, poster, params, signal, `ComfyUI's output ${ref.filename}`),
      );
    }
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
