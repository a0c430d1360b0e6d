import type { GalleryGeneration, ImageResult, JobStatusResponse } from "@sorami/contracts";
import type { schema } from "@sorami/db";

type Generation = typeof schema.generations.$inferSelect;
type MediaFile = typeof schema.mediaFiles.$inferSelect;

/** Media is served by the web app to its owner; the URL is made now, from the stored key. */
export function mediaUrl(storageKey: string): string {
  return `/api/media/${storageKey}`;
}

export function toStatusResponse(g: Generation): JobStatusResponse {
  return {
    job_id: g.id,
    status: g.status,
    progress: g.progress,
    message: g.message,
    error: g.error,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
  };
}

export function toResultResponse(g: Generation, files: MediaFile[]): ImageResult {
  return {
    job_id: g.id,
    status: g.status,
    prompt: g.prompt,
    params: g.params,
    images: files.map((f) => ({
      id: f.id,
      index: f.index,
      url: mediaUrl(f.storageKey),
      format: f.format,
      width: f.width,
      height: f.height,
      size_bytes: f.sizeBytes,
      description: f.description,
    })),
    metadata: { model: g.model, processing_time_ms: g.processingTimeMs, provider: g.providerMetadata ?? null },
    error: g.error,
  };
}

export function toGalleryItem(g: Generation, files: MediaFile[]): GalleryGeneration {
  return {
    ...toResultResponse(g, files),
    progress: g.progress,
    created_at: g.createdAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
  };
}
