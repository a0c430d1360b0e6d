import { Readable } from "node:stream";
import { AppError } from "@sorami/contracts";
import { getOwnedFileByKey } from "@sorami/db/queries/generations";
import { contentTypeFor, isValidKey } from "@sorami/storage";
import { db, storage } from "../db";
import type { SessionUser } from "../session";

/**
 * Streams a file to the user who owns its job. The key must be one the
 * database holds for that user, so no path — traversal or otherwise — reaches
 * a file it does not list; a foreign or missing file is a 404.
 */
export async function serveOwnedMedia(user: SessionUser, segments: string[]): Promise<Response> {
  const key = segments.join("/");
  if (!isValidKey(key)) throw new AppError("not_found", "File not found");
  const file = await getOwnedFileByKey(db(), user.id, key);
  if (!file) throw new AppError("not_found", "File not found");
  const opened = await storage().open(key);
  if (!opened) throw new AppError("not_found", "File not found");
  return new Response(Readable.toWeb(opened.stream) as ReadableStream, {
    headers: {
      "Content-Type": contentTypeFor(key),
      "Content-Length": String(opened.sizeBytes),
      // Private: the file is the user's; immutable: a key is never rewritten with other content.
      "Cache-Control": "private, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
