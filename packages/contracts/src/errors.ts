import { z } from "zod";

/**
 * Every error code either service answers with, and its HTTP status.
 * One map, used by both services' single error handler.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 422,
  unprocessable: 422,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The code for an HTTP status some library answered with (the first code mapped to it, else by class). */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  if (found) {
    return found[0];
  }
  return status >= 500 ? "internal_error" : "invalid_request";
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** The request field at fault, where there is one (dotted path). */
    field: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Turns the first zod issue into a message and field that a person can act on. */
export function describeZodError(error: z.ZodError): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) {
    return { message: "Invalid request" };
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : undefined;
  if (issue.code === "unrecognized_keys") {
    // Named where they are: `data.a` for an unknown key inside `data`, not a bare `a`.
    const at = (key: string) => [...issue.path.map(String), key].join(".");
    return { message: `Unknown field(s): ${issue.keys.map(at).join(", ")}`, field: issue.keys[0] && at(issue.keys[0]) };
  }
  return { message: field ? `${field}: ${issue.message}` : issue.message, field };
}

/**
 * The one error type both services throw for anything a caller did wrong or
 * cannot have. Each service maps it to HTTP in exactly one place.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
    this.headers = options.headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }

  static fromZod(error: z.ZodError): AppError {
    const { message, field } = describeZodError(error);
    return new AppError("invalid_request", message, { field });
  }
}
