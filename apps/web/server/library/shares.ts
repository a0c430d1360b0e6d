import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  AppError,
  type CreateShare,
  libraryIdSchema,
  SHARE_TOKEN_BYTES,
  SHARES_PER_USER_MAX,
  type Share,
  type ShareCreated,
  type ShareList,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { scopeOf } from "@sorami/db/queries/scope";
import { createShareLink, deleteShareLink, listShareLinks } from "@sorami/db/queries/shares";
import type { ShareLinkRow } from "@sorami/db/schema";
import { ownedJob } from "../jobs/read";
import type { SessionUser } from "../session";
import { collectionInScope } from "./collections";

/** A share token as this app writes them: SHARE_TOKEN_BYTES random bytes in base64url (43 characters for 32). */
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((SHARE_TOKEN_BYTES * 4) / 3)}}$`);

/** What is stored of a token: its SHA-256. A token is 256 random bits, so a fast hash is enough (nothing to guess). */
export function hashShareToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Whether a path segment can be a token at all (anything else is a 404 without a query). */
export function isShareToken(raw: string): boolean {
  return TOKEN_PATTERN.test(raw);
}

/** The public page of a link. */
export function sharePath(token: string): string {
  return `/s/${token}`;
}

function toShare(row: ShareLinkRow): Share {
  return {
    id: row.id,
    generation_id: row.generationId,
    collection_id: row.collectionId,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
  };
}

/**
 * Makes a link to one of the user's generations or collections (404 naming
 * the field for anyone else's). The token is returned this once; only its
 * hash is stored.
 */
export async function createShare(db: Database, user: SessionUser, request: CreateShare): Promise<ShareCreated> {
  const scope = scopeOf(user.id);
  let generationId: string | null = null;
  let collectionId: string | null = null;
  if (request.generation_id !== undefined) {
    generationId = (await ownedJob(db, user, null, request.generation_id).catch(notFoundAs("generation_id"))).id;
  } else if (request.collection_id !== undefined) {
    collectionId = (await collectionInScope(db, scope, request.collection_id).catch(notFoundAs("collection_id"))).id;
  }
  const token = randomBytes(SHARE_TOKEN_BYTES).toString("base64url");
  const expiresAt =
    request.expires_in_seconds === null ? null : new Date(Date.now() + request.expires_in_seconds * 1000);
  const row = await createShareLink(
    db,
    scope,
    { id: randomUUID(), tokenHash: hashShareToken(token), generationId, collectionId, expiresAt },
    SHARES_PER_USER_MAX,
  );
  if (!row) {
    throw new AppError("conflict", `You already have ${SHARES_PER_USER_MAX} live share links; revoke one first`);
  }
  return { ...toShare(row), token, path: sharePath(token) };
}

function notFoundAs(field: string) {
  return (error: unknown): never => {
    if (error instanceof AppError && error.code === "not_found") {
      throw new AppError("not_found", error.message, { field });
    }
    throw error;
  };
}

/** The user's live links, of one generation or collection when asked. */
export async function listShares(
  db: Database,
  user: SessionUser,
  target: { generation?: string; collection?: string },
): Promise<ShareList> {
  const rows = await listShareLinks(db, scopeOf(user.id), {
    generationId: target.generation,
    collectionId: target.collection,
  });
  return { shares: rows.map(toShare) };
}

/** Revokes one of the user's links (404 for anyone else's): its page and files answer 404 from now on. */
export async function revokeShare(db: Database, user: SessionUser, rawId: string): Promise<void> {
  const id = libraryIdSchema.safeParse(rawId);
  if (!id.success || !(await deleteShareLink(db, scopeOf(user.id), id.data))) {
    throw new AppError("not_found", "Share link not found");
  }
}
