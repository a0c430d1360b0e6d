import {
  EVENTS_ERROR_MAX_LENGTH,
  fileModeration,
  type GalleryGeneration,
  type GenerationDetail,
  isShown,
  type JobEvent,
  type JobResult,
  type JobStatusResponse,
  truncateText,
} from "@sorami/contracts";
import type { Generation, MediaFile } from "@sorami/db";

/** Media is served by the web app to its owner; the URL is made now, from the stored key. */
export function mediaUrl(storageKey: string): string {
  return `/api/media/${storageKey}`;
}

export function toStatusResponse(g: Generation, queuePosition: number | null = null): JobStatusResponse {
  return {
    job_id: g.id,
    status: g.status,
    progress: g.progress,
    message: g.message,
    error: g.error,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
    queue_position: g.status === "PENDING" ? queuePosition : null,
  };
}

/** A job as the live stream carries it. */
export function toJobEvent(
  g: Pick<Generation, "id" | "kind" | "status" | "progress" | "message" | "error" | "updatedAt">,
): JobEvent {
  return {
    job_id: g.id,
    kind: g.kind,
    status: g.status,
    progress: g.progress,
    message: g.message,
    error: g.error === null ? null : truncateText(g.error, EVENTS_ERROR_MAX_LENGTH, { ellipsis: "…" }),
    updated_at: g.updatedAt.toISOString(),
  };
}

/**
 * The pictures a file entry shows. A file not shown as it is (pending
 * screening, held, removed) shows only its blurred copy, if it has one: its
 * thumbnail and poster are derivatives of the original and are served to no
 * one but admins while it is held (media/serve.ts refuses them). `url` keeps
 * naming the file (and is refused), with `moderation` saying why.
 */
function pictures(f: MediaFile): {
  thumbnail: string | null;
  poster: string | null;
  moderation?: ReturnType<typeof fileModeration>;
} {
  if (isShown(f.moderationState)) {
    return {
      thumbnail: f.thumbnailKey ? mediaUrl(f.thumbnailKey) : null,
      poster: f.posterKey ? mediaUrl(f.posterKey) : null,
    };
  }
  const blurred = f.blurredKey ? mediaUrl(f.blurredKey) : null;
  return { thumbnail: blurred, poster: blurred, moderation: fileModeration(f.moderationState) };
}

const toImage = (f: MediaFile) => {
  const { thumbnail, moderation } = pictures(f);
  return {
    id: f.id,
    index: f.index,
    url: mediaUrl(f.storageKey),
    thumbnail_url: thumbnail,
    format: f.format,
    width: f.width,
    height: f.height,
    size_bytes: f.sizeBytes,
    description: f.description,
    ...(moderation ? { moderation } : {}),
  };
};

const toVideo = (f: MediaFile) => {
  const { thumbnail, poster, moderation } = pictures(f);
  return {
    id: f.id,
    index: f.index,
    url: mediaUrl(f.storageKey),
    poster_url: poster,
    thumbnail_url: thumbnail,
    format: f.format,
    width: f.width,
    height: f.height,
    duration_seconds: f.durationSeconds,
    size_bytes: f.sizeBytes,
    ...(moderation ? { moderation } : {}),
  };
};

export function toResultResponse(g: Generation, files: MediaFile[]): JobResult {
  // The stored key of an input image is internal; callers see the parameters they sent.
  const { input_image_key, ...params } = g.params;
  const common = {
    job_id: g.id,
    status: g.status,
    prompt: g.prompt,
    params: input_image_key ? { ...params, input_image: true } : params,
    metadata: { model: g.model, processing_time_ms: g.processingTimeMs, provider: g.providerMetadata ?? null },
    error: g.error,
  };
  return g.kind === "image" ? { ...common, images: files.map(toImage) } : { ...common, videos: files.map(toVideo) };
}

export function toGalleryItem(g: Generation, files: MediaFile[]): GalleryGeneration {
  const extra = {
    progress: g.progress,
    created_at: g.createdAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
  };
  const result = toResultResponse(g, files);
  return "images" in result ? { ...result, ...extra, kind: "image" } : { ...result, ...extra, kind: "video" };
}

export function toDetail(g: Generation, files: MediaFile[]): GenerationDetail {
  return {
    ...toGalleryItem(g, files),
    started_at: g.startedAt?.toISOString() ?? null,
    updated_at: g.updatedAt.toISOString(),
    message: g.message,
  };
}
