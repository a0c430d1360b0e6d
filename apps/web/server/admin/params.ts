import { AppError, jobIdSchema } from "@sorami/contracts";

/**
 * Ids in admin paths. A malformed one names nothing, so it is a 404 like an
 * unknown one (as on the users' routes): existence is never confirmed by
 * the shape of the answer.
 */
const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export function jobIdParam(raw: string): string {
  if (!jobIdSchema.safeParse(raw).success) {
    throw new AppError("not_found", "Job not found");
  }
  return raw;
}

export function userIdParam(raw: string): string {
  if (!USER_ID_PATTERN.test(raw)) {
    throw new AppError("not_found", "User not found");
  }
  return raw;
}

export function fileIdParam(raw: string): string {
  if (!FILE_ID_PATTERN.test(raw)) {
    throw new AppError("not_found", "File not found");
  }
  return raw;
}

/** A request's query string as an object, for a query schema. */
export function queryOf(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}
