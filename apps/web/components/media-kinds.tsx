import {
  type ImageFile,
  JOB_KINDS,
  type JobKind,
  parseSize,
  VIDEO_DIMENSIONS,
  type VideoFile,
} from "@sorami/contracts";
import type { ComponentType } from "react";
import type { ParamsOf, ResultOf } from "@/lib/api-client";
import { aspectRatioLabel, formatBytes, optionLabel, secondsLabel } from "./labels";

export type FileOf<K extends JobKind> = { image: ImageFile; video: VideoFile }[K];

/** Where a file is shown: a job's results, or a gallery card. */
export type MediaPlace = "result" | "gallery";

/**
 * Everything the pages need to know about a kind of job. The generate page,
 * job panel, result grid and gallery are one piece of code each; image and
 * video differ only in this table.
 */
export type MediaKind<K extends JobKind> = {
  noun: string;
  plural: string;
  /** The page where this kind is generated. */
  generatePath: string;
  files: (result: ResultOf<K>) => readonly FileOf<K>[];
  /** How many results of what shape a job will give, known from its parameters before they exist. */
  expected: (params: ParamsOf<K>) => { count: number; width: number; height: number };
  /** One file, filling a box that already has the file's aspect ratio (letterboxed, never cropped). */
  Media: ComponentType<{ file: FileOf<K>; label: string; place: MediaPlace }>;
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

/** Results show at once; gallery cards load lazily and open the full image in a new tab. */
function ImageMedia({ file, label, place }: { file: ImageFile; label: string; place: MediaPlace }) {
  const result = place === "result";
  const image = (
    // biome-ignore lint/performance/noImgElement: media is served by an authenticated API route, not the image optimizer
    <img
      data-testid={result ? "result-image" : undefined}
      src={file.url}
      alt={file.description || label}
      loading={result ? undefined : "lazy"}
      decoding="async"
      width={file.width}
      height={file.height}
      className={fill}
    />
  );
  if (result) return image;
  return (
    <a href={file.url} target="_blank" rel="noopener" className="absolute inset-0 block">
      {image}
      <span className="sr-only">, open full size in a new tab</span>
    </a>
  );
}

/** Results load their metadata (duration, first frame) at once; gallery cards load nothing until played. */
function VideoMedia({ file, label, place }: { file: VideoFile; label: string; place: MediaPlace }) {
  return (
    // biome-ignore lint/a11y/useMediaCaption: generated videos have no speech to caption
    <video
      data-testid={place === "result" ? "result-video" : undefined}
      src={file.url}
      poster={file.poster_url ?? undefined}
      controls
      playsInline
      preload={place === "result" ? "metadata" : "none"}
      width={file.width}
      height={file.height}
      aria-label={label}
      className={`${fill} bg-black`}
    />
  );
}

export const MEDIA_KINDS: { [K in JobKind]: MediaKind<K> } = {
  image: {
    noun: "image",
    plural: "images",
    generatePath: "/generate-images",
    files: (result) => result.images,
    expected: (params) => ({ count: params.num_images, ...parseSize(params.size) }),
    Media: ImageMedia,
    details: (file) =>
      `${file.width} × ${file.height} · ${file.format.toUpperCase()} · ${formatBytes(file.size_bytes)}`,
    summary: (params) => {
      const style = param(params, "style");
      return [param(params, "size")?.replace("x", " × ") ?? null, style ? optionLabel(style) : null];
    },
  },
  video: {
    noun: "video",
    plural: "videos",
    generatePath: "/generate-videos",
    files: (result) => result.videos,
    expected: (params) => ({ count: params.number_of_videos, ...VIDEO_DIMENSIONS[params.aspect_ratio] }),
    Media: VideoMedia,
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

/** The gallery showing one kind; images are the default, so they need no query. */
export function galleryPath(kind: JobKind): string {
  return kind === "image" ? "/gallery" : `/gallery?kind=${kind}`;
}

/** A gallery query parameter (or notification metadata) as a kind; anything unknown is the default, images. */
export function parseKind(value: unknown): JobKind {
  return JOB_KINDS.find((kind) => kind === value) ?? "image";
}
