import {
  GALLERY_STATUS_FILTER_VALUES,
  type GalleryStatusFilter,
  JOB_KINDS,
  type JobKind,
  modelIdSchema,
} from "@sorami/contracts";

/**
 * The gallery's state lives in its URL (`/gallery?kind=video&status=failed&q=cat`),
 * so a reload, the back button or a shared link shows the same view. The
 * defaults (images, every status, no search) are left out of the URL.
 */
export type GallerySearch = {
  /** Words to find in prompts and negative prompts. */
  q?: string;
  model?: string;
  /** Starred only. */
  favorite?: boolean;
  /** Days, YYYY-MM-DD, both included (the reader's own calendar). */
  from?: string;
  to?: string;
};
export type GalleryQuery = { kind: JobKind; status: GalleryStatusFilter } & GallerySearch;

/** A query parameter (or notification metadata) as a kind; anything unknown is the default, images. */
export function parseKind(value: unknown): JobKind {
  return JOB_KINDS.find((kind) => kind === value) ?? "image";
}

/** A query parameter as a status filter; anything unknown is the default, every status. */
export function parseStatusFilter(value: unknown): GalleryStatusFilter {
  return GALLERY_STATUS_FILTER_VALUES.find((status) => status === value) ?? "all";
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);
const day = (value: unknown) => (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined);

/** A query parameter as a model id; anything malformed is no filter (the API checks the id itself). */
export function parseModelFilter(value: unknown): string | undefined {
  return modelIdSchema.safeParse(value).success ? (value as string) : undefined;
}

export function parseGalleryQuery(params: Record<string, string | string[] | undefined>): GalleryQuery {
  return {
    kind: parseKind(params.kind),
    status: parseStatusFilter(params.status),
    q: text(params.q),
    model: parseModelFilter(params.model),
    favorite: params.favorite === "true" ? true : undefined,
    from: day(params.from),
    to: day(params.to),
  };
}

export function galleryPath(kind: JobKind, status: GalleryStatusFilter = "all", search: GallerySearch = {}): string {
  const query = new URLSearchParams();
  if (kind !== "image") {
    query.set("kind", kind);
  }
  if (status !== "all") {
    query.set("status", status);
  }
  for (const key of ["q", "model", "from", "to"] as const) {
    const value = search[key];
    if (value) {
      query.set(key, value);
    }
  }
  if (search.favorite) {
    query.set("favorite", "true");
  }
  const qs = query.toString();
  return qs ? `/gallery?${qs}` : "/gallery";
}

/** Whether anything narrows the gallery beyond kind and status (then new jobs are not added live). */
export function isSearching(search: GallerySearch): boolean {
  return Boolean(search.q || search.model || search.favorite || search.from || search.to);
}

/**
 * The API's instants for a range of days in the reader's time zone: from the
 * start of `from` to the start of the day after `to`.
 */
export function dayRange(search: GallerySearch): { from?: string; to?: string } {
  const startOf = (d: string) => new Date(`${d}T00:00:00`);
  const range: { from?: string; to?: string } = {};
  if (search.from) {
    range.from = startOf(search.from).toISOString();
  }
  if (search.to) {
    const end = startOf(search.to);
    end.setDate(end.getDate() + 1);
    range.to = end.toISOString();
  }
  return range;
}

/** The detail view of one job, whatever its kind (notifications link here). */
export function detailPath(jobId: string): string {
  return `/gallery/${encodeURIComponent(jobId)}`;
}
