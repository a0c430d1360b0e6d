import { z } from "zod";
import { AppError } from "./errors";
import { storableDatetimeSchema } from "./storable";

/**
 * A keyset page's cursor: the (time, id) of the last row shown, opaque to
 * callers (base64url of JSON). Every keyset list of both services encodes
 * and decodes through these two functions.
 */
export type KeysetCursor = { at: Date; id: string };

/** Ids inside a cursor: any of the services' ids (job, file, delivery, user), and nothing else. */
const cursorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/);

export function encodeKeysetCursor(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString("base64url");
}

/** The cursor, or a 400 naming `cursor` when it is not one this API gave. */
export function decodeKeysetCursor(raw: string, field = "cursor"): KeysetCursor {
  try {
    const [at, id] = z
      .tuple([storableDatetimeSchema, cursorIdSchema])
      .parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return { at: new Date(at), id };
  } catch {
    throw new AppError("invalid_request", `${field} is not a cursor this API returned`, { field });
  }
}
