import {
  type FileOf,
  type ImageFile,
  type JobKind,
  type ParamsOf,
  parseSize,
  type ResultOf,
  VIDEO_DIMENSIONS,
  type VideoFile,
} from "@sorami/contracts";
import type { ComponentType } from "react";
import { aspectRatioLabel, formatBytes, optionLabel, secondsLabel } from "./labels";

/**
 * Everything the pages need to know about a kind of job, beyond what
 * KIND_INFO (contracts) says of it for both services (its noun and plural). The generate page,
 * job panel, result grid and gallery are one piece of code each; image and
 * video differ only in this table.
 */
export type MediaKind<K extends JobKind> = {
  /** The page where this kind is generated. */
  generatePath: string;
  files: (result: ResultOf<K>) => readonly FileOf<K>[];
  /** How many results of what shape a job will give, known from its parameters before they exist. */
  expected: (params: ParamsOf<K>) => { count: number; width: number; height: number };
  /** One file at full size, filling a box that already has the file's aspect ratio (letterboxed, never cropped). */
  Media: ComponentType<{ file: FileOf<K>; label: string }>;
  /** The still shown for a file in the gallery grid: its thumbnail, else the full image or poster; null if none. */
  still: (file: FileOf<K>) => string | null;
  /** The line under a result: size, and what else tells files apart. */
  details: (file: FileOf<K>) => string;
  /** What a gallery card says about a job's parameters. */
  summary: (params: Record<string, unknown>) => (string | null)[];
};

function param(params: Record<string, unknown>, key: string): string | null {
  const value = params[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

const fill = "absolute inset-0 size-full object-contain";

function ImageMedia({ file, label }: { file: ImageFile; label: string }) {
  return (
    // biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer
    <img
      data-testid="result-image"
      src={file.url}
      alt={file.description || label}
      decoding="async"
      width={file.width}
      height={file.height}
      className={fill}
    />
  );
}

/** Loads its metadata (duration, first frame) at once; the poster shows until then. */
function VideoMedia({ file, label }: { file: VideoFile; label: string }) {
  return (
    // biome-ignore lint/a11y/useMediaCaption: generated videos have no speech to caption
    <video
      data-testid="result-video"
      src={file.url}
      poster={file.poster_url ?? undefined}
      controls
      playsInline
      preload="metadata"
      width={file.width}
      height={file.height}
      aria-label={label}
      className={`${fill} bg-black`}
    />
  );
}

export const MEDIA_KINDS: { [K in JobKind]: MediaKind<K> } = {
  image: {
    generatePath: "/generate-images",
    files: (result) => result.images,
    expected: (params) => ({ count: params.num_images, ...parseSize(params.size) }),
    Media: ImageMedia,
    // A held or pending file's original is refused: its blurred copy (thumbnail_url) or nothing.
    still: (file) => file.thumbnail_url ?? (file.moderation ? null : file.url),
    details: (file) =>
      `${file.width} × ${file.height} · ${file.format.toUpperCase()} · ${formatBytes(file.size_bytes)}`,
    summary: (params) => {
      const style = param(params, "style");
      return [param(params, "size")?.replace("x", " × ") ?? null, style ? optionLabel(style) : null];
    },
  },
  video: {
    generatePath: "/generate-videos",
    files: (result) => result.videos,
    expected: (params) => ({ count: params.number_of_videos, ...VIDEO_DIMENSIONS[params.aspect_ratio] }),
    Media: VideoMedia,
    still: (file) => file.thumbnail_url ?? file.poster_url,
    details: (file) =>
      [
        `${file.width} × ${file.height}`,
        file.duration_seconds === null ? null : secondsLabel(file.duration_seconds),
        formatBytes(file.size_bytes),
      ]
        .filter(Boolean)
        .join(" · "),
    summary: (params) => {
      const ratio = param(params, "aspect_ratio");
      const seconds = Number(param(params, "duration_seconds"));
      return [ratio ? aspectRatioLabel(ratio) : null, seconds > 0 ? secondsLabel(seconds) : null];
    },
  },
};

/** The page that follows a job live (its generate page, told which job). */
export function followPath(kind: JobKind, jobId: string): string {
  return `${MEDIA_KINDS[kind].generatePath}?job=${encodeURIComponent(jobId)}`;
}
