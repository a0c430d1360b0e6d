import {
  EVENTS_ERROR_MAX_LENGTH,
  fallbackStepSchema,
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
import type { StarMarks } from "@sorami/db/queries/favorites";
import { z } from "zod";

const NO_STARS: StarMarks = { generation: false, fileIds: [] };

/** Media is served by the web app to its owner; the URL is made now, from the stored key. */
export function mediaUrl(storageKey: string): string {
  return `/api/media/${storageKey}`;
}

export function toStatusResponse(g: Generation, queuePosition: number | null = null): JobStatusResponse {
  return {
    job_id: g.id,
    status: g.status,
    model: g.model,
    provider: g.provider,
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

/** Where a file is (stored, or fetched from a backend: see webhooks/files.ts), and its URL under the documents' name too. */
const stateOf = (f: MediaFile) => ({
  state: f.state,
  missing_reason: f.missingReason,
  fileUrl: mediaUrl(f.storageKey),
});

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
    ...stateOf(f),
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
    ...stateOf(f),
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
    model: g.model,
    provider: g.provider,
    prompt: g.prompt,
    params: input_image_key ? { ...params, input_image: true } : params,
    metadata: { model: g.model, processing_time_ms: g.processingTimeMs, provider: g.providerMetadata ?? null },
    error: g.error,
  };
  return g.kind === "image" ? { ...common, images: files.map(toImage) } : { ...common, videos: files.map(toVideo) };
}

/** A job as a gallery shows it, with what the reader starred of it. */
export function toGalleryItem(g: Generation, files: MediaFile[], stars: StarMarks = NO_STARS): GalleryGeneration {
  const extra = {
    id: g.id,
    progress: g.progress,
    created_at: g.createdAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
    favorite: stars.generation,
    favorite_file_ids: stars.fileIds,
  };
  const result = toResultResponse(g, files);
  return "images" in result ? { ...result, ...extra, kind: "image" } : { ...result, ...extra, kind: "video" };
}

/** The fallback story a job's metadata keeps (the generator's webhooks carry it; see `serving`). */
const storySchema = z.array(fallbackStepSchema).catch([]);

export function toDetail(g: Generation, files: MediaFile[], stars: StarMarks = NO_STARS): GenerationDetail {
  const meta = g.providerMetadata ?? {};
  return {
    ...toGalleryItem(g, files, stars),
    started_at: g.startedAt?.toISOString() ?? null,
    updated_at: g.updatedAt.toISOString(),
    message: g.message,
    requested_model: typeof g.params.model === "string" ? g.params.model : g.model,
    request_id: typeof meta.request_id === "string" ? meta.request_id : null,
    fallbacks: storySchema.parse(meta.fallbacks ?? []),
  };
}
