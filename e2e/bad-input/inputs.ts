import {
  adminDecisionRequestSchema,
  adminDeliveriesQuerySchema,
  adminJobsQuerySchema,
  adminModerationQuerySchema,
  adminRoleRequestSchema,
  adminUsersQuerySchema,
  createCollectionSchema,
  createShareSchema,
  EMAIL_MAX_LENGTH,
  galleryCursorSchema,
  galleryFiltersQuerySchema,
  generatorImageRequestSchema,
  generatorVideoRequestSchema,
  idempotencyKeySchema,
  imageParamsSchema,
  lastEventIdSchema,
  libraryQuerySchema,
  ORGANIZATION_SLUG_MAX_LENGTH,
  renameCollectionSchema,
  sharedFileQuerySchema,
  shareListQuerySchema,
  USER_NAME_MAX_LENGTH,
  videoParamsSchema,
  WEBHOOK_PAYLOAD_SCHEMAS,
  webhookIdSchema,
} from "@sorami/contracts";
import { edgeString, hostile, mutated, type Overrides, toJsonText, validArbitrary } from "@sorami/contracts/testing";
import fc from "fast-check";
import { z } from "zod";
import type { Fixtures } from "../security/fixtures";
import type { Probe, RouteEntry } from "../security/routes";

/**
 * What the property test sends to one endpoint, generated from the contracts:
 * the body from the endpoint's request schema, query parameters and headers
 * from theirs, path ids from the id schema — valid values and values pushed
 * to the edges (see @sorami/contracts/testing). Credentials are added when
 * it is sent, so the request gets past authentication and reaches the code
 * that stores what it carries.
 */
export type Shot = {
  path: string;
  headers: Record<string, string>;
  /** JSON text (or not quite JSON), and the type it is sent as (null: no Content-Type). */
  body?: { text: string; type: string | null };
};

/** Ids the endpoints can find, beyond the route table's fixtures. */
export type Pools = {
  /** The owner's unfinished jobs, for webhooks that reach the writes. */
  pendingImageJobs: string[];
  pendingVideoJobs: string[];
  /** The owner's finished jobs that DELETE probes may take. */
  deletableImageJobs: string[];
  deletableVideoJobs: string[];
  /** The owner's personal organization. */
  organizationId: string;
};

/** better-auth endpoints the route table's catch-all serves and that write indexed fields (not in its probes). */
export const AUTH_EXTRA_PROBES: Probe[] = [
  { label: "POST /api/auth/organization/create", method: "POST", url: () => "/api/auth/organization/create" },
  { label: "POST /api/auth/organization/update", method: "POST", url: () => "/api/auth/organization/update" },
];

/** Request bodies better-auth takes, written as contracts for generation (it validates them itself). */
const signUpSchema = z.object({
  name: z.string().min(1).max(USER_NAME_MAX_LENGTH),
  email: z.email().max(EMAIL_MAX_LENGTH),
  password: z.string().min(8).max(128),
});
const signInSchema = signUpSchema.omit({ name: true });
const organizationCreateSchema = z.object({
  name: z.string().min(1).max(100),
  slug: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .max(ORGANIZATION_SLUG_MAX_LENGTH),
});
const organizationUpdateSchema = z.object({
  organizationId: z.string(),
  data: organizationCreateSchema.partial(),
});

type BodyContract = { schema: z.ZodType; overrides?: Overrides };

/** The probe's legitimate URL; a DELETE probe's would take one of the route table's spare jobs, so its template. */
const urlOf = (entry: RouteEntry, probe: Probe, f: Fixtures) => (probe.method === "DELETE" ? entry.path : probe.url(f));

/** The contract of each endpoint's body; a body endpoint missing here fails the test. */
function bodyContract(entry: RouteEntry, probe: Probe, f: Fixtures, pools: Pools): BodyContract | null {
  const url = urlOf(entry, probe, f);
  const user = fc.oneof(fc.constant(f.owner.id), fc.constant(f.other.id), fc.string({ minLength: 1, maxLength: 40 }));
  if (entry.auth === "webhook") {
    const kind = url.includes("/image-") ? "image" : "video";
    const pending = kind === "image" ? pools.pendingImageJobs : pools.pendingVideoJobs;
    return {
      schema: WEBHOOK_PAYLOAD_SCHEMAS[kind],
      overrides: {
        // Mostly unfinished jobs, so the delivery reaches the writes; also finished ones and unknown ones.
        job_id: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...pending) },
          fc.constantFrom(f.imageJob, f.videoJob),
          fc.uuid(),
        ),
        user_id: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant(f.owner.id) }, user), { nil: undefined }),
      },
    };
  }
  if (entry.service === "generator" && url.endsWith("/generate")) {
    return {
      schema: url.includes("/images/") ? generatorImageRequestSchema : generatorVideoRequestSchema,
      overrides: { user_id: user, job_id: fc.option(fc.uuid(), { nil: undefined }) },
    };
  }
  if (entry.service === "web" && url.endsWith("/generate")) {
    return { schema: url.includes("/images/") ? imageParamsSchema : videoParamsSchema };
  }
  if (entry.path === "/api/collections" && probe.method === "POST") {
    return { schema: createCollectionSchema };
  }
  if (entry.path === "/api/collections/[id]" && probe.method === "PATCH") {
    return { schema: renameCollectionSchema };
  }
  if (entry.path === "/api/shares" && probe.method === "POST") {
    // The owner's own targets mostly, so a share is made; also another's and unknown ones.
    const target = (own: string) => fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant(own) }, fc.uuid()));
    return {
      schema: createShareSchema,
      overrides: { generation_id: target(f.imageJob), collection_id: target(f.collection) },
    };
  }
  if (entry.path === "/api/admin/users/[id]/role") {
    return { schema: adminRoleRequestSchema };
  }
  if (entry.path === "/api/admin/moderation/[file]") {
    return { schema: adminDecisionRequestSchema };
  }
  if (url === "/api/auth/sign-up/email") {
    return { schema: signUpSchema };
  }
  if (url === "/api/auth/sign-in/email") {
    return { schema: signInSchema, overrides: { email: fc.constantFrom(f.owner.email, f.other.email) } };
  }
  if (url === "/api/auth/organization/create") {
    return { schema: organizationCreateSchema };
  }
  if (url === "/api/auth/organization/update") {
    return { schema: organizationUpdateSchema, overrides: { organizationId: fc.constant(pools.organizationId) } };
  }
  if (probe.body) {
    throw new Error(`no contract for the body of ${entry.service} ${probe.method} ${url}: add it to bodyContract`);
  }
  return null;
}

const base64url = (text: string) => Buffer.from(text).toString("base64url");

/**
 * Node refuses a request head over 16 KiB (431, or a closed socket) before any application code
 * runs: each URL part stays under this many bytes once percent-encoded, so every request reaches
 * the app, long values included (still far past every limit the endpoints set).
 */
const URL_PART_MAX_ENCODED = 4096;

/** Percent-encodes the UTF-8 bytes of a value (a lone surrogate goes as U+FFFD, as any client would send it). */
function percentEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The value cut (by code points) until it fits URL_PART_MAX_ENCODED once encoded. */
function fitUrlPart(value: string): string {
  let chars = [...value];
  while (percentEncode(chars.join("")).length > URL_PART_MAX_ENCODED) {
    chars = chars.slice(0, Math.floor(chars.length * 0.8));
  }
  return chars.join("");
}

/** Query parameters an endpoint reads, from its contract. */
function queryArbitrary(entry: RouteEntry, probe: Probe, f: Fixtures): fc.Arbitrary<Record<string, unknown>> {
  const queryOf = (schema: z.ZodType, overrides?: Overrides) =>
    hostile(validArbitrary(schema, overrides)).filter(
      (v): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v),
    );
  if (entry.path.endsWith("/user") || entry.path === "/api/library") {
    const cursor = fc.oneof(
      validArbitrary(galleryCursorSchema).map((v) => base64url(toJsonText(v))),
      mutated(validArbitrary(galleryCursorSchema)).map((v) => base64url(toJsonText(v))),
      edgeString(),
    );
    // The owner's collection mostly, so the filter reaches the query.
    const collection = fc.option(fc.oneof(fc.constant(f.collection), fc.uuid()), { nil: undefined });
    const schema = entry.path === "/api/library" ? libraryQuerySchema : galleryFiltersQuerySchema;
    return queryOf(schema, { cursor, collection });
  }
  if (entry.path === "/api/shares") {
    return queryOf(shareListQuerySchema);
  }
  if (entry.path === "/api/s/[token]/files/[file]") {
    return queryOf(sharedFileQuerySchema);
  }
  if (entry.path === "/api/events") {
    return fc.record(
      { last_event_id: fc.oneof(validArbitrary(lastEventIdSchema), edgeString()) },
      { requiredKeys: [] },
    );
  }
  const adminQueries: Record<string, z.ZodType> = {
    "/api/admin/jobs": adminJobsQuerySchema,
    "/api/admin/deliveries": adminDeliveriesQuerySchema,
    "/api/admin/users": adminUsersQuerySchema,
    "/api/admin/moderation": adminModerationQuerySchema,
  };
  const admin = adminQueries[entry.path];
  if (admin) {
    return queryOf(admin);
  }
  if (probe.query) {
    throw new Error(`no contract for the query of ${entry.path}: add it to queryArbitrary`);
  }
  // Endpoints that read no query still get some.
  return fc.dictionary(fc.constantFrom("cursor", "limit", "id", "x"), edgeString(), { maxKeys: 2 });
}

/** Headers an endpoint stores or casts, from their contracts. */
function headerArbitrary(entry: RouteEntry): fc.Arbitrary<Record<string, string>> {
  // The header, or none (a record whose one key may be left out).
  const optional = (name: string, valid: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, string>> =>
    fc
      .option(fc.oneof(valid.map(String), edgeString()), { nil: undefined })
      .map((v) => (v === undefined ? {} : { [name]: v }));
  if (entry.service === "web" && (entry.path.endsWith("/generate") || entry.path.endsWith("/rerun"))) {
    return optional("idempotency-key", validArbitrary(idempotencyKeySchema));
  }
  if (entry.path === "/api/events") {
    return optional("last-event-id", validArbitrary(lastEventIdSchema));
  }
  if (entry.auth === "webhook") {
    // Always present: the signature covers it.
    return fc
      .oneof({ weight: 3, arbitrary: validArbitrary(webhookIdSchema).map(String) }, edgeString())
      .map((id) => ({ "webhook-id": id || "msg_empty" }));
  }
  return fc.constant({});
}

/** A path id: the owner's own, a well-formed stranger, or an edge. */
function pathArbitrary(entry: RouteEntry, probe: Probe, f: Fixtures, pools: Pools): fc.Arbitrary<string> {
  if (!probe.pathId) {
    return fc.constant(probe.url(f));
  }
  const { build } = probe.pathId;
  const encode = entry.path.includes("[...")
    ? (id: string) => id.split("/").map(percentEncode).join("/")
    : percentEncode;
  const url = urlOf(entry, probe, f);
  // The media key holds the image job's id: look for it first.
  const owned = [
    f.mediaKey,
    f.delivery,
    f.notification,
    f.shareToken,
    f.collection,
    f.fileId,
    f.imageJob,
    f.videoJob,
  ].find((id) => url.includes(id));
  const own =
    probe.method === "DELETE"
      ? fc.constantFrom(...(entry.path.includes("/images/") ? pools.deletableImageJobs : pools.deletableVideoJobs))
      : fc.constant(owned ?? "");
  const stranger = fc.oneof(
    fc.uuid(),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    fc.constantFrom(f.imageJob, f.videoJob),
  );
  return fc
    .oneof({ weight: 2, arbitrary: own }, stranger, { weight: 2, arbitrary: edgeString() })
    .map((id) => build(encode(fitUrlPart(id))));
}

/** Everything one endpoint may be sent. */
export function shotsFor(entry: RouteEntry, probe: Probe, f: Fixtures, pools: Pools): fc.Arbitrary<Shot> {
  const contract = bodyContract(entry, probe, f, pools);
  const body = contract
    ? fc.record({
        text: hostile(validArbitrary(contract.schema, contract.overrides)).map(toJsonText),
        type: fc.oneof(
          { weight: 8, arbitrary: fc.constant<string | null>("application/json") },
          fc.constantFrom<string | null>(null, "text/plain", "application/json; charset=utf-8"),
        ),
      })
    : fc.option(
        fc.record({
          text: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null"),
          type: fc.constant("application/json"),
        }),
        { nil: undefined, freq: 4 },
      );
  return fc
    .record({
      path: pathArbitrary(entry, probe, f, pools),
      query: queryArbitrary(entry, probe, f),
      headers: headerArbitrary(entry),
      body,
    })
    .map(({ path, query, headers, body }) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined) {
          params.set(k, fitUrlPart(typeof v === "string" ? v : toJsonText(v)));
        }
      }
      const qs = params.toString();
      return { path: qs ? `${path}?${qs}` : path, headers: headerSafe(headers), body: body ?? undefined };
    });
}

/** A header value as a client can send it: bytes, not characters (UTF-8 as Latin-1), no line breaks or NUL, under Node's 16 KiB. */
function headerSafe(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      Buffer.from(v, "utf8")
        .toString("latin1")
        // What Node refuses in a header value.
        .replace(/[^\t\x20-\x7e\x80-\xff]/g, "")
        .slice(0, 8192),
    ]),
  );
}
