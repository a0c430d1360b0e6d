import {
  GALLERY_STATUS_FILTER_VALUES,
  type GalleryStatusFilter,
  JOB_KINDS,
  type JobKind,
  modelIdSchema,
} from "@sorami/contracts";

/**
 * The gallery's state lives in its URL (`/gallery?kind=video&status=failed`),
 * so a reload, the back button or a shared link shows the same view. The
 * defaults (images, every status) are left out of the URL.
 */
export type GalleryQuery = { kind: JobKind; status: GalleryStatusFilter; model: string | null };

/** A query parameter (or notification metadata) as a kind; anything unknown is the default, images. */
export function parseKind(value: unknown): JobKind {
  return JOB_KINDS.find((kind) => kind === value) ?? "image";
}

/** A query parameter as a status filter; anything unknown is the default, every status. */
export function parseStatusFilter(value: unknown): GalleryStatusFilter {
  return GALLERY_STATUS_FILTER_VALUES.find((status) => status === value) ?? "all";
}

/** A query parameter as a model id; anything malformed is no filter (the API checks the id itself). */
export function parseModelFilter(value: unknown): string | null {
  return modelIdSchema.safeParse(value).success ? (value as string) : null;
}

export function parseGalleryQuery(params: Record<string, string | string[] | undefined>): GalleryQuery {
  return {
    kind: parseKind(params.kind),
    status: parseStatusFilter(params.status),
    model: parseModelFilter(params.model),
  };
}

export function galleryPath(kind: JobKind, status: GalleryStatusFilter = "all", model: string | null = null): string {
  const query = new URLSearchParams();
  if (kind !== "image") {
    query.set("kind", kind);
  }
  if (status !== "all") {
    query.set("status", status);
  }
  if (model) {
    query.set("model", model);
  }
  const qs = query.toString();
  return qs ? `/gallery?${qs}` : "/gallery";
}

/** The detail view of one job, whatever its kind (notifications link here). */
export function detailPath(jobId: string): string {
  return `/gallery/${encodeURIComponent(jobId)}`;
}
