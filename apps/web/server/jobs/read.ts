import {
  AppError,
  BUILT_IN_MODELS,
  type GenerationDetail,
  galleryCursorSchema,
  type JobKind,
  type JobResult,
  type JobStatusResponse,
  jobIdSchema,
  type ModelView,
} from "@sorami/contracts";
import type { Database, Generation } from "@sorami/db";
import { starsOf } from "@sorami/db/queries/favorites";
import { type Cursor, filesOf, getGenerationForOwner, queuePosition } from "@sorami/db/queries/generations";
import { scopeOf } from "@sorami/db/queries/scope";
import type { SessionUser } from "../session";
import { toDetail, toResultResponse, toStatusResponse } from "./present";

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
  const [files, stars] = await Promise.all([filesOf(db, [g.id]), starsOf(db, scopeOf(user.id), [g.id])]);
  return toDetail(g, files.get(g.id) ?? [], stars.get(g.id));
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

/**
 * A gallery's model filter must name a model this deployment knows (active,
 * or built in: jobs outlive a key being removed); anything else is a 400
 * naming `model`. When the catalog cannot be read, any well-formed id is taken.
 */
export function checkModelFilter(id: string, active: readonly ModelView[] | null): void {
  if (!active || active.some((m) => m.id === id) || BUILT_IN_MODELS.some((m) => m.id === id)) {
    return;
  }
  throw new AppError("invalid_request", `model: ${id} is not a model of this catalog`, { field: "model" });
}
