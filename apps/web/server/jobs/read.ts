import {
  AppError,
  type GalleryPage,
  type GalleryQuery,
  type GenerationDetail,
  galleryCursorSchema,
  type JobKind,
  type JobResult,
  type JobStatusResponse,
  jobIdSchema,
  statusesOf,
} from "@sorami/contracts";
import type { Database, Generation } from "@sorami/db";
import {
  type Cursor,
  filesOf,
  getGenerationForOwner,
  listGenerationsForOwner,
  queuePosition,
} from "@sorami/db/queries/generations";
import type { SessionUser } from "../session";
import { toDetail, toGalleryItem, toResultResponse, toStatusResponse } from "./present";

/**
 * The user's job of this kind (of any kind when `kind` is null), else 404 —
 * whether it is missing, deleted or someone else's.
 */
export async function ownedJob(
  db: Database,
  user: SessionUser,
  kind: JobKind | null,
  rawId: string,
): Promise<Generation> {
  const id = jobIdSchema.safeParse(rawId);
  const g = id.success ? await getGenerationForOwner(db, user.id, id.data) : null;
  if (!g || (kind && g.kind !== kind)) {
    throw new AppError("not_found", "Job not found");
  }
  return g;
}

/** One job with its files and timings, for the detail view; `kind` null finds a job of either kind. */
export async function getGenerationDetail(
  db: Database,
  user: SessionUser,
  kind: JobKind | null,
  id: string,
): Promise<GenerationDetail> {
  const g = await ownedJob(db, user, kind, id);
  const files = await filesOf(db, [g.id]);
  return toDetail(g, files.get(g.id) ?? []);
}

export async function getJobStatus(
  db: Database,
  user: SessionUser,
  kind: JobKind,
  id: string,
): Promise<JobStatusResponse> {
  const g = await ownedJob(db, user, kind, id);
  return toStatusResponse(g, g.status === "PENDING" ? await queuePosition(db, g) : null);
}

export async function getJobResult(db: Database, user: SessionUser, kind: JobKind, id: string): Promise<JobResult> {
  const g = await ownedJob(db, user, kind, id);
  const files = await filesOf(db, [g.id]);
  return toResultResponse(g, files.get(g.id) ?? []);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString("base64url");
}

export function decodeCursor(raw: string): Cursor {
  try {
    const [at, id] = galleryCursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return { createdAt: new Date(at), id };
  } catch {
    throw new AppError("invalid_request", "cursor is not a cursor this API returned", { field: "cursor" });
  }
}

export async function listGallery(
  db: Database,
  user: SessionUser,
  kind: JobKind,
  query: GalleryQuery,
): Promise<GalleryPage> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const { rows, next } = await listGenerationsForOwner(db, user.id, {
    limit: query.limit,
    cursor,
    kind,
    statuses: statusesOf(query.status),
  });
  const files = await filesOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    generations: rows.map((r) => toGalleryItem(r, files.get(r.id) ?? [])),
    next_cursor: next ? encodeCursor(next) : null,
  };
}
