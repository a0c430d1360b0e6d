import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  IMAGE_TYPE_EXT,
  type ImageParams,
  MEDIA_TYPES,
  type MediaKind,
  type MediaType,
  OUTPUT_DOWNLOAD_TIMEOUT_MS,
  OUTPUT_IMAGE_MAX_BYTES,
  OUTPUT_MAX_BYTES,
  OUTPUT_VIDEO_MAX_BYTES,
  parseSize,
  sniffMediaType,
} from "@sorami/contracts";
import { fetchMedia, SafeFetchError } from "@sorami/safe-fetch";
import sharp from "sharp";
import { toRequestedImage } from "./encode";
import { extractPoster } from "./ffmpeg";
import { RemoteWorkFailed } from "./remote";
import { type GeneratedFile, ProviderError } from "./types";

/**
 * Files that providers hand back as URLs (fal, Replicate, BFL, some
 * OpenAI-compatible servers) are fetched at once — BFL's expire in about 10
 * minutes, Replicate's within an hour — through @sorami/safe-fetch: public
 * addresses only, except the provider's own configured host (a gateway on
 * the LAN, the test stand-ins); then judged by their bytes.
 */

// The limits of one output file live in contracts: the web app fetches files a backend reports under the same ones.
export { OUTPUT_DOWNLOAD_TIMEOUT_MS, OUTPUT_IMAGE_MAX_BYTES, OUTPUT_MAX_BYTES, OUTPUT_VIDEO_MAX_BYTES };

export type DownloadPolicy = {
  /** Hosts ("host" or "host:port") that may be private: the provider's configured base URL's. */
  allowHosts: readonly string[];
  /** How messages name the provider ("fal", "Replicate"). */
  vendor: string;
};

/** `host:port` of a base URL, for DownloadPolicy.allowHosts. */
export function hostOf(baseUrl: string): string {
  return new URL(baseUrl).host;
}

export type Downloaded = { bytes: Buffer; type: MediaType };

function decodeDataUri(ref: string, kind: MediaKind, vendor: string): Downloaded {
  const comma = ref.indexOf(",");
  const meta = ref.slice(5, comma);
  const payload = ref.slice(comma + 1);
  const max = OUTPUT_MAX_BYTES[kind];
  if (comma < 0 || !meta.endsWith(";base64") || (payload.length * 3) / 4 > max + 2) {
    throw new RemoteWorkFailed(
      "no_output",
      `${vendor} returned a data URI Sorami cannot use (not base64, or over ${max} bytes)`,
    );
  }
  const bytes = Buffer.from(payload, "base64");
  const type = sniffMediaType(bytes);
  if (!type || MEDIA_TYPES[type].kind !== kind) {
    throw new RemoteWorkFailed(
      "no_output",
      `${vendor} returned a file that is not ${kind === "image" ? "an image" : "a video"}`,
    );
  }
  return { bytes, type };
}

/** Fetches every file reference (URL or data: URI) of an answer, in order, refusing what is not of `kind`. */
export async function downloadOutputs(
  refs: readonly string[],
  kind: MediaKind,
  policy: DownloadPolicy,
  signal: AbortSignal,
): Promise<Downloaded[]> {
  const out: Downloaded[] = [];
  for (const ref of refs) {
    if (ref.startsWith("data:")) {
      out.push(decodeDataUri(ref, kind, policy.vendor));
      continue;
    }
    try {
      const fetched = await fetchMedia(ref, [kind], {
        allowHosts: policy.allowHosts,
        maxBytes: OUTPUT_MAX_BYTES[kind],
        timeoutMs: OUTPUT_DOWNLOAD_TIMEOUT_MS,
        signal,
        label: `${policy.vendor}'s output URL`,
      });
      out.push({ bytes: fetched.bytes, type: fetched.type });
    } catch (error) {
      if (!(error instanceof SafeFetchError)) {
        throw error;
      }
      // A refused or expired URL will not get better by waiting on the same handle; a network blip may.
      throw error.permanent
        ? new RemoteWorkFailed("no_output", error.message)
        : new ProviderError("transient", error.message);
    }
  }
  return out;
}

/**
 * Images in the requested size and format: a file that already is stays
 * byte for byte; another is resized (cover, centred) and converted, since a
 * model's sizes and formats rarely match Sorami's list exactly.
 */
export async function toImageFiles(
  downloads: readonly Downloaded[],
  params: Pick<ImageParams, "size" | "format" | "quality" | "prompt">,
): Promise<GeneratedFile[]> {
  const { width, height } = parseSize(params.size);
  const files: GeneratedFile[] = [];
  for (const d of downloads) {
    const meta = await sharp(d.bytes)
      .metadata()
      .catch(() => null);
    if (meta && d.type === params.format && meta.width === width && meta.height === height) {
      files.push({
        data: d.bytes,
        format: params.format,
        ext: IMAGE_TYPE_EXT[params.format],
        width,
        height,
        description: params.prompt,
      });
      continue;
    }
    const converted = await toRequestedImage(d.bytes, params);
    files.push({
      data: converted.data,
      format: params.format,
      ext: IMAGE_TYPE_EXT[params.format],
      width: converted.width,
      height: converted.height,
      description: params.prompt,
    });
  }
  return files;
}

/** A video as the pipeline stores it: its poster frame (ffmpeg), size and length; refused when ffmpeg cannot decode it. */
export async function toVideoFile(
  video: Downloaded | { file: string },
  params: { prompt: string; duration_seconds: number },
  signal: AbortSignal,
  vendor: string,
): Promise<GeneratedFile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sorami-video-"));
  try {
    const type = "file" in video ? "MP4" : video.type;
    const file = "file" in video ? video.file : path.join(dir, `video.${MEDIA_TYPES[type].ext}`);
    if (!("file" in video)) {
      await writeFile(file, video.bytes);
    }
    const poster = path.join(dir, "poster.jpg");
    let durationSeconds: number | null;
    try {
      ({ durationSeconds } = await extractPoster(file, poster, signal));
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }
      throw new RemoteWorkFailed("no_output", `${vendor} returned a file that is not a playable video`);
    }
    const posterData = await readFile(poster);
    const { width = 0, height = 0 } = await sharp(posterData).metadata();
    return {
      data: "file" in video ? await readFile(file) : video.bytes,
      format: type,
      ext: MEDIA_TYPES[type].ext,
      width,
      height,
      description: params.prompt,
      durationSeconds: durationSeconds ?? params.duration_seconds,
      poster: { data: posterData, ext: "jpg" },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
