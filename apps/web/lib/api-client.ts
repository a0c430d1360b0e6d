import {
  answerFor,
  type Collection,
  type CollectionList,
  errorBodySchema,
  type FavoriteState,
  type GalleryPageOf,
  type GalleryStatusFilter,
  type GenerationDetail,
  type GenerationOf,
  type JobAccepted,
  type JobKind,
  type JobStatusResponse,
  KIND_INFO,
  type ModelList,
  type NotificationList,
  type ParamsOf,
  type ResultOf,
  type ShareCreated,
  type ShareList,
  WEB_API,
} from "@sorami/contracts";

/**
 * Browser-side helpers for the same-origin JSON API. Every answer is parsed
 * with its route's contract (WEB_API, the table the tests check too); every
 * failure becomes an ApiError whose message can be shown to a person as is.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

export type RequestOptions = {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const contract = answerFor(WEB_API, method, path)?.answer.ok;
  const headers = new Headers(options.headers);
  headers.set("Accept", "application/json");
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      credentials: "same-origin",
      cache: "no-store",
      signal: options.signal,
    });
  } catch (error) {
    if (isAbortError(error)) {
      throw error;
    }
    throw new ApiError(0, "network_error", "Could not reach the server. Check your connection and try again.");
  }
  // A success with no body (a delete's 204) has nothing to read.
  if (response.ok && contract === "empty") {
    return undefined as T;
  }
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw toApiError(response.status, data ?? null);
  }
  // A success whose body did not arrive whole (the server stopped mid-answer) is a network failure, not a value.
  if (data === undefined) {
    throw new ApiError(0, "network_error", "The server's answer was cut short. Try again.");
  }
  if (contract && typeof contract === "object") {
    const parsed = contract.safeParse(data);
    if (!parsed.success) {
      // The page and the server disagree: a page loaded before an upgrade of the server.
      throw new ApiError(0, "contract", "The server's answer was not understood. Reload the page and try again.");
    }
    return parsed.data as T;
  }
  return data as T;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  401: "You are signed out. Sign in again to continue.",
  403: "You are not allowed to do that.",
  404: "Not found.",
  413: "That request is too large.",
  429: "Too many requests. Wait a moment and try again.",
};

function toApiError(status: number, data: unknown): ApiError {
  // Every route answers { error: { code, message, field? } } (better-auth's answers are reshaped to it: auth-route.ts).
  const body = errorBodySchema.safeParse(data);
  if (body.success) {
    const { code, message, field } = body.data.error;
    return new ApiError(status, code, message, field);
  }
  const message =
    FALLBACK_MESSAGES[status] ??
    (status >= 500 ? "The server had a problem. Try again in a moment." : `Request failed (${status}).`);
  return new ApiError(status, `http_${status}`, message);
}

/**
 * crypto.randomUUID exists only in secure contexts; a self-hosted instance
 * reached over plain http on a LAN address is not one.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Auth

export function signUp(input: { name: string; email: string; password: string }): Promise<unknown> {
  return request("/api/auth/sign-up/email", { method: "POST", json: input });
}

export function signIn(input: { email: string; password: string }): Promise<unknown> {
  return request("/api/auth/sign-in/email", { method: "POST", json: input });
}

export function signOut(): Promise<unknown> {
  return request("/api/auth/sign-out", { method: "POST", json: {} });
}

// Jobs: one set of calls for every kind, under /api/{images|videos}/…

const jobsPath = (kind: JobKind) => `/api/${KIND_INFO[kind].plural}`;

/** Blank optional fields are left out rather than sent empty. */
function withoutBlanks(params: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).filter(([, v]) => v !== undefined && !(typeof v === "string" && v.trim() === "")),
  );
}

export function submitJob<K extends JobKind>(
  kind: K,
  params: ParamsOf<K>,
  idempotencyKey: string,
): Promise<JobAccepted> {
  return request(`${jobsPath(kind)}/generate`, {
    method: "POST",
    json: withoutBlanks(params),
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

export function getJobStatus(kind: JobKind, jobId: string, signal?: AbortSignal): Promise<JobStatusResponse> {
  return request(`${jobsPath(kind)}/${encodeURIComponent(jobId)}/status`, { signal });
}

export function getJobResult<K extends JobKind>(kind: K, jobId: string, signal?: AbortSignal): Promise<ResultOf<K>> {
  return request(`${jobsPath(kind)}/${encodeURIComponent(jobId)}/result`, { signal });
}

/** The library's filters as the API takes them (`from`/`to` are ISO instants). */
export type LibraryFilters = {
  status?: GalleryStatusFilter;
  q?: string;
  model?: string;
  favorite?: boolean;
  collection?: string;
  from?: string;
  to?: string;
};

function libraryQuery(options: LibraryFilters & { cursor?: string | null; limit?: number }): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null || value === "" || (key === "status" && value === "all")) {
      continue;
    }
    query.set(key, String(value));
  }
  const qs = query.toString();
  return qs ? `?${qs}` : "";
}

export function listGenerations<K extends JobKind>(
  kind: K,
  options: LibraryFilters & { cursor?: string | null; limit?: number } = {},
  signal?: AbortSignal,
): Promise<GalleryPageOf<K>> {
  return request(`${jobsPath(kind)}/user${libraryQuery(options)}`, { signal });
}

/** Every kind at once (a collection's page). */
export function listLibrary(
  options: LibraryFilters & { cursor?: string | null; limit?: number } = {},
  signal?: AbortSignal,
): Promise<{ generations: GenerationOf<JobKind>[]; next_cursor: string | null }> {
  return request(`/api/library${libraryQuery(options)}`, { signal });
}

/** One job as the detail view has it (a gallery card's data, and more). */
export function getGeneration(kind: JobKind, jobId: string, signal?: AbortSignal): Promise<GenerationDetail> {
  return request(`${jobsPath(kind)}/${encodeURIComponent(jobId)}`, { signal });
}

/** Deletes a job and its files (a running job is canceled first). */
export async function deleteGeneration(kind: JobKind, jobId: string): Promise<void> {
  await request(`${jobsPath(kind)}/${encodeURIComponent(jobId)}`, { method: "DELETE" });
}

/** Submits a new job with the parameters (and input image) of an earlier one. */
export function rerunGeneration(kind: JobKind, jobId: string, idempotencyKey: string): Promise<JobAccepted> {
  return request(`${jobsPath(kind)}/${encodeURIComponent(jobId)}/rerun`, {
    method: "POST",
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

// Models

/** The active models with their capabilities, so a form offers only what the chosen model can serve. */
export function listModels(signal?: AbortSignal): Promise<ModelList> {
  return request("/api/models", { signal });
}

// Notifications

export function listNotifications(signal?: AbortSignal): Promise<NotificationList> {
  return request("/api/notifications", { signal });
}

export function markNotificationRead(id: string): Promise<unknown> {
  return request(`/api/notifications/${encodeURIComponent(id)}/read`, { method: "POST", json: {} });
}

export function markAllNotificationsRead(): Promise<unknown> {
  return request("/api/notifications/read-all", { method: "POST", json: {} });
}

// Library: favourites, collections, share links

export function setFavorite(what: "generations" | "files", id: string, favorite: boolean): Promise<FavoriteState> {
  return request(`/api/favorites/${what}/${encodeURIComponent(id)}`, { method: favorite ? "PUT" : "DELETE" });
}

export function listCollections(signal?: AbortSignal): Promise<CollectionList> {
  return request("/api/collections", { signal });
}

export function createCollection(name: string): Promise<Collection> {
  return request("/api/collections", { method: "POST", json: { name } });
}

export function renameCollection(id: string, name: string): Promise<Collection> {
  return request(`/api/collections/${encodeURIComponent(id)}`, { method: "PATCH", json: { name } });
}

export async function deleteCollection(id: string): Promise<void> {
  await request(`/api/collections/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Adds (or removes) a whole generation or one file. */
export function setInCollection(
  collectionId: string,
  what: "generations" | "files",
  itemId: string,
  present: boolean,
): Promise<Collection> {
  return request(`/api/collections/${encodeURIComponent(collectionId)}/${what}/${encodeURIComponent(itemId)}`, {
    method: present ? "PUT" : "DELETE",
  });
}

export type ShareTarget = { generation_id: string } | { collection_id: string };

export function createShare(target: ShareTarget, expiresInSeconds: number | null): Promise<ShareCreated> {
  return request("/api/shares", { method: "POST", json: { ...target, expires_in_seconds: expiresInSeconds } });
}

export function listShares(target: ShareTarget, signal?: AbortSignal): Promise<ShareList> {
  const query =
    "generation_id" in target
      ? `generation=${encodeURIComponent(target.generation_id)}`
      : `collection=${encodeURIComponent(target.collection_id)}`;
  return request(`/api/shares?${query}`, { signal });
}

export async function revokeShare(id: string): Promise<void> {
  await request(`/api/shares/${encodeURIComponent(id)}`, { method: "DELETE" });
}
