import { z } from "zod";
import {
  adminDeliveryPageSchema,
  adminDisableSchema,
  adminJobPageSchema,
  adminJobStorySchema,
  adminModerationItemSchema,
  adminModerationPageSchema,
  adminOverviewSchema,
  adminRedeliverJobSchema,
  adminRetrySchema,
  adminUserPageSchema,
  adminUserSchema,
} from "./admin";
import {
  authOrganizationSchema,
  authSessionSchema,
  authSignedInSchema,
  authSignedOutSchema,
  authStatusSchema,
} from "./auth";
import { modelListSchema } from "./catalog";
import { errorBodySchema } from "./errors";
import { DETAIL_SCHEMAS } from "./gallery";
import {
  generatorCancelSchema,
  generatorJobAcceptedSchema,
  generatorJobViewSchema,
  generatorRedeliverySchema,
} from "./generator";
import {
  generatorAdminSummarySchema,
  generatorDeliveryPageSchema,
  generatorJobStorySchema,
  generatorRedeliverJobSchema,
  generatorScreenSchema,
} from "./generator-admin";
import { healthSchema, livenessSchema } from "./health";
import {
  GALLERY_PAGE_SCHEMAS,
  galleryPageSchema,
  jobAcceptedSchema,
  jobStatusResponseSchema,
  RESULT_SCHEMAS,
} from "./jobs";
import {
  collectionListSchema,
  collectionSchema,
  favoriteStateSchema,
  shareCreatedSchema,
  sharedViewSchema,
  shareListSchema,
} from "./library";
import { notificationListSchema, notificationReadSchema, notificationsReadAllSchema } from "./notifications";
import { activeProvidersSchema } from "./providers";
import { webhookAckSchema } from "./webhooks";

/**
 * What every endpoint of both services answers, by method and route (route
 * files' notation: `[id]` one segment, `[...key]` the rest). A success is a
 * JSON body of its contract, no body (`empty`), or no JSON at all (an event
 * `stream`, a media `file`, Prometheus `text`); a failure is the one error shape unless the
 * entry says otherwise (health answers its own body with a 503). Only API
 * answers are covered: the web app's pages (HTML) and CORS preflights are
 * not, and a path is judged as the server resolves it (`..`, `%2e%2e`). The
 * whole-system tests check every answer they get against this table, so an
 * answer that drifts from its contract fails a test.
 */
export type Answer = {
  ok: z.ZodType | "empty" | "stream" | "file" | "text";
  failure?: z.ZodType;
  /** Failures answered without a body (a media range that cannot be served: 416 with its Content-Range). */
  emptyFailures?: readonly number[];
};

const jobEndpoints = {
  "POST /api/images/generate": { ok: jobAcceptedSchema },
  "GET /api/images/user": { ok: GALLERY_PAGE_SCHEMAS.image },
  "GET /api/images/[id]": { ok: DETAIL_SCHEMAS.image },
  "DELETE /api/images/[id]": { ok: "empty" },
  "GET /api/images/[id]/status": { ok: jobStatusResponseSchema },
  "GET /api/images/[id]/result": { ok: RESULT_SCHEMAS.image },
  "POST /api/images/[id]/cancel": { ok: jobStatusResponseSchema },
  "POST /api/images/[id]/rerun": { ok: jobAcceptedSchema },
  "POST /api/videos/generate": { ok: jobAcceptedSchema },
  "GET /api/videos/user": { ok: GALLERY_PAGE_SCHEMAS.video },
  "GET /api/videos/[id]": { ok: DETAIL_SCHEMAS.video },
  "DELETE /api/videos/[id]": { ok: "empty" },
  "GET /api/videos/[id]/status": { ok: jobStatusResponseSchema },
  "GET /api/videos/[id]/result": { ok: RESULT_SCHEMAS.video },
  "POST /api/videos/[id]/cancel": { ok: jobStatusResponseSchema },
  "POST /api/videos/[id]/rerun": { ok: jobAcceptedSchema },
} as const satisfies Record<string, Answer>;

/** The library: search across kinds, favourites, collections, ZIP downloads, share links (owner's and public). */
const libraryEndpoints = {
  "GET /api/library": { ok: galleryPageSchema },
  "GET /api/images/[id]/download": { ok: "file" },
  "GET /api/videos/[id]/download": { ok: "file" },
  "PUT /api/favorites/generations/[id]": { ok: favoriteStateSchema },
  "DELETE /api/favorites/generations/[id]": { ok: favoriteStateSchema },
  "PUT /api/favorites/files/[id]": { ok: favoriteStateSchema },
  "DELETE /api/favorites/files/[id]": { ok: favoriteStateSchema },
  "GET /api/collections": { ok: collectionListSchema },
  "POST /api/collections": { ok: collectionSchema },
  "GET /api/collections/[id]": { ok: collectionSchema },
  "PATCH /api/collections/[id]": { ok: collectionSchema },
  "DELETE /api/collections/[id]": { ok: "empty" },
  "GET /api/collections/[id]/download": { ok: "file" },
  "PUT /api/collections/[id]/generations/[item]": { ok: collectionSchema },
  "DELETE /api/collections/[id]/generations/[item]": { ok: collectionSchema },
  "PUT /api/collections/[id]/files/[item]": { ok: collectionSchema },
  "DELETE /api/collections/[id]/files/[item]": { ok: collectionSchema },
  "GET /api/shares": { ok: shareListSchema },
  "POST /api/shares": { ok: shareCreatedSchema },
  "DELETE /api/shares/[id]": { ok: "empty" },
  "GET /api/s/[token]": { ok: sharedViewSchema },
  "GET /api/s/[token]/files/[file]": { ok: "file", emptyFailures: [416] },
} as const satisfies Record<string, Answer>;

export const WEB_API = {
  ...jobEndpoints,
  ...libraryEndpoints,
  "GET /api/health": { ok: healthSchema, failure: z.union([healthSchema, errorBodySchema]) },
  "GET /api/health/live": { ok: livenessSchema },
  "GET /api/providers": { ok: activeProvidersSchema },
  "GET /api/models": { ok: modelListSchema },
  "GET /api/events": { ok: "stream" },
  "GET /api/notifications": { ok: notificationListSchema },
  "POST /api/notifications/[id]/read": { ok: notificationReadSchema },
  "POST /api/notifications/read-all": { ok: notificationsReadAllSchema },
  "GET /api/media/[...key]": { ok: "file", emptyFailures: [416] },
  "POST /api/webhooks/image-completion": { ok: webhookAckSchema },
  "POST /api/webhooks/video-completion": { ok: webhookAckSchema },
  "POST /api/admin/webhooks/[delivery]/redeliver": { ok: generatorRedeliverySchema },
  // The admin console's API (admins only; 403 for everyone else).
  "GET /api/admin/overview": { ok: adminOverviewSchema },
  "GET /api/admin/jobs": { ok: adminJobPageSchema },
  "GET /api/admin/jobs/[id]": { ok: adminJobStorySchema },
  "DELETE /api/admin/jobs/[id]": { ok: "empty" },
  "POST /api/admin/jobs/[id]/cancel": { ok: jobStatusResponseSchema },
  "POST /api/admin/jobs/[id]/retry": { ok: adminRetrySchema },
  "POST /api/admin/jobs/[id]/redeliver": { ok: adminRedeliverJobSchema },
  "GET /api/admin/deliveries": { ok: adminDeliveryPageSchema },
  "GET /api/admin/users": { ok: adminUserPageSchema },
  "POST /api/admin/users/[id]/disable": { ok: adminDisableSchema },
  "POST /api/admin/users/[id]/enable": { ok: adminUserSchema },
  "POST /api/admin/users/[id]/role": { ok: adminUserSchema },
  "GET /api/admin/moderation": { ok: adminModerationPageSchema },
  "POST /api/admin/moderation/[file]": { ok: adminModerationItemSchema },
  "GET /api/admin/moderation/[file]/original": { ok: "file", emptyFailures: [416] },
  // better-auth's endpoints that the app and its tests use (its own formats).
  "POST /api/auth/sign-up/email": { ok: authSignedInSchema },
  "POST /api/auth/sign-in/email": { ok: authSignedInSchema },
  "POST /api/auth/sign-out": { ok: authSignedOutSchema },
  "GET /api/auth/get-session": { ok: authSessionSchema },
  "POST /api/auth/update-user": { ok: authStatusSchema },
  "POST /api/auth/revoke-session": { ok: authStatusSchema },
  "POST /api/auth/revoke-sessions": { ok: authStatusSchema },
  "POST /api/auth/organization/create": { ok: authOrganizationSchema },
  "POST /api/auth/organization/update": { ok: authOrganizationSchema },
  // Prometheus's text exposition format; 404 (the error shape) when METRICS_TOKEN is unset.
  "GET /metrics": { ok: "text" },
} as const satisfies Record<string, Answer>;

export const GENERATOR_API = {
  "POST /api/images/generate": { ok: generatorJobAcceptedSchema },
  "POST /api/videos/generate": { ok: generatorJobAcceptedSchema },
  "GET /api/jobs/[id]": { ok: generatorJobViewSchema },
  "POST /api/jobs/[id]/cancel": { ok: generatorCancelSchema },
  "POST /api/webhooks/[id]/redeliver": { ok: generatorRedeliverySchema },
  "POST /api/jobs/[id]/screen": { ok: generatorScreenSchema },
  "GET /api/admin/summary": { ok: generatorAdminSummarySchema },
  "GET /api/admin/jobs/[id]": { ok: generatorJobStorySchema },
  "GET /api/admin/deliveries": { ok: generatorDeliveryPageSchema },
  "POST /api/admin/jobs/[id]/redeliver": { ok: generatorRedeliverJobSchema },
  "GET /api/models": { ok: modelListSchema },
  "GET /health": { ok: healthSchema, failure: z.union([healthSchema, errorBodySchema]) },
  "GET /metrics": { ok: "text" },
} as const satisfies Record<string, Answer>;

export type ApiTable = Record<string, Answer>;

/** How many fixed segments a route has: the more, the more specific (`/user` before `[id]`). */
const fixedSegments = (route: string) => route.split("/").filter((s) => s && !s.startsWith("[")).length;

function matches(route: string, path: string): boolean {
  const want = route.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] ?? "";
    if (segment.startsWith("[...")) {
      return got.length > i;
    }
    const actual = got[i];
    if (actual === undefined || (!segment.startsWith("[") && segment !== actual)) {
      return false;
    }
  }
  return got.length === want.length;
}

/** The entry of the table for a request (`path` may carry a query), the most specific route first. */
export function answerFor(table: ApiTable, method: string, path: string): { route: string; answer: Answer } | null {
  const bare = path.split("?")[0] ?? "";
  const verb = method === "HEAD" ? "GET" : method;
  const found = Object.entries(table)
    .filter(([key]) => key.startsWith(`${verb} `) && matches(key.slice(verb.length + 1), bare))
    .sort(([a], [b]) => fixedSegments(b) - fixedSegments(a))[0];
  return found ? { route: found[0], answer: found[1] } : null;
}

/**
 * Checks one answer against its contract: the success body of its route, or
 * the error shape (the entry's own failure body where it has one). Returns
 * the problem, or null when the answer keeps its contract. A success on a
 * route with no entry is a problem: every route has one.
 */
export function answerProblem(
  table: ApiTable,
  request: { method: string; path: string },
  response: { status: number; contentType: string | null; body: string },
): string | null {
  // As the server resolves it: `/api/media/../../x` is the page `/x`.
  const resolved = new URL(request.path, "http://resolve.invalid");
  const path = `${resolved.pathname}${resolved.search}`;
  const entry = answerFor(table, request.method, path);
  const what = `${request.method} ${request.path} → ${response.status}`;
  if (!entry && (request.method === "OPTIONS" || !resolved.pathname.startsWith("/api/"))) {
    return null;
  }
  const json = () => {
    try {
      return { value: JSON.parse(response.body) as unknown };
    } catch {
      return null;
    }
  };
  const check = (schema: z.ZodType) => {
    const parsed = json();
    if (!parsed) {
      return `${what}: the body is not JSON: ${response.body.slice(0, 200)}`;
    }
    const result = schema.safeParse(parsed.value);
    if (result.success) {
      return null;
    }
    const issue = result.error.issues[0];
    return `${what} (${entry?.route ?? "no route"}): ${issue?.path.join(".") || "body"}: ${issue?.message ?? ""}`;
  };
  if (response.status >= 400) {
    // A method a route does not serve gets Next.js's own empty 405 (SECURITY.md, "Wrong methods").
    const empty = [405, ...(entry?.answer.emptyFailures ?? [])];
    if (response.body === "" && empty.includes(response.status)) {
      return null;
    }
    return check(entry?.answer.failure ?? errorBodySchema);
  }
  // A redirect (a media file on S3, Next.js's trailing-slash 308) says where, not what: no body to check.
  if (response.status >= 300 && response.status < 400) {
    return null;
  }
  if (!entry) {
    return `${what}: no contract for this route (add it to the API table in packages/contracts/src/api.ts)`;
  }
  const ok = entry.answer.ok;
  if (ok === "empty") {
    return response.body === "" ? null : `${what}: expected no body, got ${response.body.slice(0, 200)}`;
  }
  if (ok === "text") {
    return response.contentType?.startsWith("text/plain")
      ? null
      : `${what}: expected text/plain, got ${response.contentType}`;
  }
  if (ok === "stream" || ok === "file") {
    return null;
  }
  return check(ok);
}

/** A route pattern as a type: `[id]` and `[...key]` become any text. */
type RoutePattern<R extends string> = R extends `${infer A}[${string}]${infer B}`
  ? `${A}${string}${RoutePattern<B>}`
  : R;
type WithoutQuery<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
type Keys<T> = keyof T & string;
/** Routes whose pattern is exactly the path (a fixed route named in full). */
type ExactKeys<T, M extends string, P extends string> = {
  [K in Keys<T>]: K extends `${M} ${infer R}` ? ([P] extends [R] ? ([R] extends [P] ? K : never) : never) : never;
}[Keys<T>];
/** The segments of a path, as a count (a parameter is one segment, whatever text stands for it). */
type Segments<S extends string, N extends unknown[] = []> = S extends `${string}/${infer Rest}`
  ? Segments<Rest, [unknown, ...N]>
  : N["length"];
/** Routes whose pattern the path fits, segment for segment (a `[...rest]` route takes any depth below it). */
type PatternKeys<T, M extends string, P extends string> = {
  [K in Keys<T>]: K extends `${M} ${infer R}`
    ? [P] extends [RoutePattern<R>]
      ? R extends `${string}[...${string}`
        ? K
        : Segments<P> extends Segments<R>
          ? K
          : never
      : never
    : never;
}[Keys<T>];
type KeyFor<T, M extends string, P extends string> =
  ExactKeys<T, M, WithoutQuery<P>> extends never
    ? PatternKeys<T, M, WithoutQuery<P>>
    : ExactKeys<T, M, WithoutQuery<P>>;
type OkOf<A> = A extends { ok: infer S }
  ? S extends z.ZodType
    ? z.infer<S>
    : S extends "empty"
      ? null
      : unknown
  : unknown;

/**
 * The success body of `method path` in a table, as a type, for any path a
 * caller builds (`/api/images/${id}/status`): what a typed test client reads.
 */
export type SuccessOf<T, M extends string, P extends string> = P extends unknown
  ? KeyFor<T, M, P> extends never
    ? unknown
    : OkOf<T[KeyFor<T, M, P>]>
  : never;
