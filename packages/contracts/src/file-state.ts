import { z } from "zod";

/**
 * Where a job's file is, as every result and gallery entry says it:
 * - `stored`: in Sorami's storage, served at its `url`;
 * - `pending`: reported by a backend that keeps its files elsewhere (a
 *   `completed` webhook whose file is not in Sorami's storage, with a `url`):
 *   Sorami is fetching it, and its `url` answers 404 until then;
 * - `missing`: it could not be fetched (an expired presigned URL, a refused
 *   address, too large, not the kind of file the job makes); `missing_reason`
 *   says why, in words its owner can read.
 */
export const FILE_STATES = ["pending", "stored", "missing"] as const;
export type FileState = (typeof FILE_STATES)[number];
export const fileStateSchema = z.enum(FILE_STATES);

/** The fields every file entry of a result carries about its state, and the documents' name of its URL. */
export const fileStateFields = {
  state: fileStateSchema,
  /** Why a `missing` file could not be fetched; null otherwise. */
  missing_reason: z.string().nullable(),
  /** The same value as `url`: documents 001–004 read a file's address as `fileUrl` (their Prisma column). */
  fileUrl: z.string(),
};
