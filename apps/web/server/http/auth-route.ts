import {
  AppError,
  AUTH_BODY_MAX_BYTES,
  codeForStatus,
  EMPTY_BODY_MAX_BYTES,
  emailFieldSchema,
  httpUrlSchema,
  organizationSlugSchema,
  plainTextSchema,
  truncateText,
  USER_NAME_MAX_LENGTH,
} from "@sorami/contracts";
import { z } from "zod";
import { auth } from "../auth";
import { log } from "../log";
import { credentialOf } from "./credential";
import {
  assertDeclaredSize,
  decodeUtf8,
  errorResponse,
  isJsonContentType,
  parseJsonText,
  parseWith,
  readBodyBytes,
} from "./handler";
import { observed } from "./observe";

/**
 * better-auth's endpoints behind the same rules as ours: bodies capped
 * before parsing, text PostgreSQL cannot store refused, names and avatars
 * checked, and every error answered as `{ error: { code, message, field? } }`
 * (better-auth's own `code` and `message` are kept beside it for its client).
 */
export async function handleAuthRequest(
  req: Request,
  route?: { params: Promise<{ all?: string[] }> },
): Promise<Response> {
  return observed(req, await route?.params, async () => {
    let forward: Request;
    try {
      forward = await prepare(req);
    } catch (error) {
      return errorResponse(error);
    }
    return toErrorShape(await auth().handler(forward));
  });
}

/** Fields better-auth stores as given; it checks email and password itself. */
const profileFieldsSchema = z.looseObject({
  name: z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: "is required" })
    .pipe(plainTextSchema(USER_NAME_MAX_LENGTH))
    .optional(),
  image: httpUrlSchema.nullish(),
});
const PROFILE_PATHS = new Set(["/api/auth/sign-up/email", "/api/auth/update-user"]);

/** Fields better-auth writes to unique-indexed columns, bounded before it sees them (see emailFieldSchema). */
const indexedFieldsSchema = z.looseObject({
  email: emailFieldSchema.optional(),
  slug: organizationSlugSchema.optional(),
});
/** POST /api/auth/organization/update takes its changes under `data`. */
const ORGANIZATION_UPDATE_PATH = "/api/auth/organization/update";
/**
 * The changes better-auth's update takes (name, slug, logo, metadata), and only those: it drops
 * any other key, and when none is left it runs an UPDATE with nothing to set — PostgreSQL's
 * syntax error, a 500. So an unknown key, or no change at all, is a 400 naming `data`.
 */
const ORGANIZATION_FIELDS = ["name", "slug", "logo", "metadata"] as const;
const organizationUpdateSchema = z.looseObject({
  data: z
    .strictObject(
      {
        name: z.string({ error: "must be a string" }).min(1, { error: "is required" }).optional(),
        slug: organizationSlugSchema.optional(),
        logo: z.string({ error: "must be a string" }).nullish(),
        metadata: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
      },
      { error: `may hold only ${ORGANIZATION_FIELDS.join(", ")}` },
    )
    .refine((data) => ORGANIZATION_FIELDS.some((key) => data[key] !== undefined), {
      error: `must change at least one of ${ORGANIZATION_FIELDS.join(", ")}`,
    }),
});

/** Of a better-auth failure, this much of its answer is logged. */
const AUTH_ERROR_LOGGED_LENGTH = 500;

async function prepare(req: Request): Promise<Request> {
  const headers = new Headers(req.headers);
  // One credential per request, as on every other route (`credentialOf`): with an Authorization
  // header, better-auth must not fall back to the cookie when the header is not a session (its
  // bearer plugin would). Without the cookie its origin check has nothing to protect, and another
  // site cannot add an Authorization header to a browser's request.
  if (credentialOf(headers) === "bearer") {
    headers.delete("cookie");
  }
  // Node's fetch sends `Sec-Fetch-Mode: cors` with no Origin, which better-auth
  // takes for a browser and refuses (403). A browser always sends Origin on
  // these POSTs, so a request with no Origin, Referer or Cookie is not one a
  // browser made on a victim's behalf; its fetch-metadata headers are dropped.
  if (
    req.method === "POST" &&
    !headers.has("origin") &&
    !headers.has("referer") &&
    !headers.has("cookie") &&
    headers.has("sec-fetch-mode")
  ) {
    for (const name of ["sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user"]) {
      headers.delete(name);
    }
  }
  if (req.method === "GET" || req.method === "HEAD") {
    assertDeclaredSize(req, EMPTY_BODY_MAX_BYTES);
    return new Request(req, { headers });
  }

  const bytes = await readBodyBytes(req, AUTH_BODY_MAX_BYTES);
  if (bytes.length > 0) {
    const type = headers.get("content-type");
    const isForm = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type ?? "");
    // better-auth would read any type ending in "json"; only these two are taken.
    if (!isJsonContentType(type) && !isForm) {
      throw new AppError("unsupported_media_type", "Content-Type must be application/json");
    }
    const text = decodeUtf8(bytes);
    const fields = isForm
      ? parseJsonText(JSON.stringify(Object.fromEntries(new URLSearchParams(text))))
      : parseJsonText(text);
    const pathname = new URL(req.url).pathname;
    if (PROFILE_PATHS.has(pathname)) {
      parseWith(profileFieldsSchema, fields);
    }
    parseWith(pathname === ORGANIZATION_UPDATE_PATH ? organizationUpdateSchema : indexedFieldsSchema, fields);
  }
  headers.delete("content-length");
  return new Request(req.url, {
    method: req.method,
    headers,
    body: bytes.length > 0 ? new Uint8Array(bytes) : undefined,
  });
}

/** better-auth writes the field inside its messages ("[body.email] …") or its codes (PASSWORD_TOO_SHORT). */
function fieldOf(message: string, code: string | undefined): string | undefined {
  const inMessage = /\[body\.([A-Za-z0-9_]+)\]/.exec(message)?.[1];
  if (inMessage) {
    return inMessage;
  }
  if (!code) {
    return undefined;
  }
  if (code.includes("PASSWORD")) {
    return "password";
  }
  if (code.includes("EMAIL") || code.startsWith("USER_ALREADY_EXISTS")) {
    return "email";
  }
  if (code.includes("NAME")) {
    return "name";
  }
  return undefined;
}

async function toErrorShape(res: Response): Promise<Response> {
  if (res.status < 400) {
    return res;
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      body = parsed as Record<string, unknown>;
    }
  } catch {}
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  headers.set("content-type", "application/json");
  // better-auth's limiter says X-Retry-After; HTTP clients read Retry-After.
  const retryAfter = headers.get("x-retry-after");
  if (res.status === 429 && retryAfter && !headers.has("retry-after")) {
    headers.set("retry-after", retryAfter);
  }

  if (res.status >= 500) {
    log().error({ status: res.status, answer: truncateText(text, AUTH_ERROR_LOGGED_LENGTH) }, "better-auth failed");
    const error = new AppError("internal_error", "Internal server error");
    return Response.json(error.toBody(), { status: res.status, headers });
  }
  const authCode = typeof body.code === "string" ? body.code : undefined;
  const message =
    typeof body.message === "string" && body.message
      ? body.message
      : `Request failed (${res.status} ${res.statusText})`;
  const code = authCode ? authCode.toLowerCase() : codeForStatus(res.status);
  const field = fieldOf(message, authCode);
  return Response.json(
    { ...body, code: authCode ?? code, message, error: { code, message, ...(field ? { field } : {}) } },
    { status: res.status, headers },
  );
}
