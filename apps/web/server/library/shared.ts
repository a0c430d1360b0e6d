import {
  AppError,
  COLLECTION_ITEMS_MAX,
  isShown,
  mediaFileIdSchema,
  type SharedFile,
  type SharedGeneration,
  type SharedView,
  type sharedFileQuerySchema,
} from "@sorami/contracts";
import type { Database, Generation, MediaFile } from "@sorami/db";
import { type FileWithGeneration, listCollectionFiles } from "@sorami/db/queries/collections";
import { filesOf } from "@sorami/db/queries/generations";
import {
  findLiveShareLink,
  getSharedCollectionName,
  getSharedFile,
  getSharedGeneration,
} from "@sorami/db/queries/shares";
import type { ShareLinkRow } from "@sorami/db/schema";
import type { z } from "zod";
import { serveStoredFile } from "../media/serve";
import { hashShareToken, isShareToken } from "./shares";

/**
 * What anyone holding a share link sees: media, prompt and model, served
 * through the link's own token. No user, organisation, job id, date or other
 * job; a revoked or expired link, or one whose generation was deleted, is a
 * 404 like a link that never was (for the page and for every file).
 */

const notFound = () => new AppError("not_found", "This link does not exist, was revoked or has expired");

async function liveLink(db: Database, token: string): Promise<ShareLinkRow> {
  const link = isShareToken(token) ? await findLiveShareLink(db, hashShareToken(token)) : null;
  if (!link) {
    throw notFound();
  }
  return link;
}

function sharedFile(token: string, file: MediaFile): SharedFile {
  const base = `/api/s/${token}/files/${file.id}`;
  return {
    id: file.id,
    url: base,
    thumbnail_url: file.thumbnailKey ? `${base}?variant=thumbnail` : null,
    poster_url: file.posterKey ? `${base}?variant=poster` : null,
    download_url: `${base}?download=1`,
    format: file.format,
    width: file.width,
    height: file.height,
    duration_seconds: file.durationSeconds,
  };
}

/** A shared generation's files: those shown as they are only (a held file is shown to no one but admins). */
function sharedGeneration(token: string, g: Generation, files: MediaFile[]): SharedGeneration {
  const shown = files.filter((f) => isShown(f.moderationState));
  return { kind: g.kind, prompt: g.prompt, model: g.model, files: shown.map((f) => sharedFile(token, f)) };
}

/** A collection's files grouped by generation, in the order listed (newest generation first). */
function groupByGeneration(rows: FileWithGeneration[]): { generation: Generation; files: MediaFile[] }[] {
  const groups = new Map<string, { generation: Generation; files: MediaFile[] }>();
  for (const { generation, file } of rows) {
    const group = groups.get(generation.id) ?? { generation, files: [] };
    group.files.push(file);
    groups.set(generation.id, group);
  }
  return [...groups.values()];
}

/** GET /api/s/{token} and the page /s/{token}. */
export async function getSharedView(db: Database, token: string): Promise<SharedView> {
  const link = await liveLink(db, token);
  const expires_at = link.expiresAt?.toISOString() ?? null;
  if (link.generationId) {
    const g = await getSharedGeneration(db, link.generationId);
    if (!g) {
      throw notFound();
    }
    const files = await filesOf(db, [g.id]);
    return {
      kind: "generation",
      title: null,
      expires_at,
      generations: [sharedGeneration(token, g, files.get(g.id) ?? [])],
    };
  }
  const collectionId = link.collectionId ?? "";
  const [title, rows] = await Promise.all([
    getSharedCollectionName(db, collectionId),
    listCollectionFiles(db, collectionId, COLLECTION_ITEMS_MAX),
  ]);
  return {
    kind: "collection",
    title,
    expires_at,
    generations: groupByGeneration(rows).map((g) => sharedGeneration(token, g.generation, g.files)),
  };
}

/** GET /api/s/{token}/files/{file}: a file the link shows (or its thumbnail or poster), 404 for any other. */
export async function serveSharedFile(
  db: Database,
  token: string,
  rawFileId: string,
  query: z.infer<typeof sharedFileQuerySchema>,
  rangeHeader: string | null,
): Promise<Response> {
  const link = await liveLink(db, token);
  const fileId = mediaFileIdSchema.safeParse(rawFileId);
  const file = fileId.success ? await getSharedFile(db, link, fileId.data) : null;
  const key =
    query.variant === "thumbnail"
      ? file?.thumbnailKey
      : query.variant === "poster"
        ? file?.posterKey
        : file?.storageKey;
  if (!file || !key) {
    throw notFound();
  }
  // Named by the file's id, not its job's: a download says nothing of the job.
  return serveStoredFile(key, file.id, rangeHeader, {
    download: query.download === "1",
    // Never kept by a browser or proxy: a revoked link must stop showing the file.
    cacheControl: "no-store",
  });
}
