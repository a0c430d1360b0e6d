import {
  BTREE_ROW_MAX_BYTES,
  emailFieldSchema,
  GENERATION_TIME_MAX_SECONDS,
  galleryCursorSchema,
  generatorImageRequestSchema,
  generatorVideoRequestSchema,
  INDEXED_TEXT_MAX_BYTES,
  idempotencyKeySchema,
  JOB_ID_MAX_LENGTH,
  lastEventIdSchema,
  MODEL_ID_MAX_LENGTH,
  modelIdSchema,
  organizationSlugSchema,
  PG_INTEGER_MAX,
  PG_INTEGER_MIN,
  PG_REAL_MAX,
  PG_TIMESTAMP_MIN_MS,
  parseSize,
  storableInstant,
  utf8Length,
  WEBHOOK_PAYLOAD_SCHEMAS,
  webhookIdSchema,
} from "@sorami/contracts";
import { noise } from "@sorami/contracts/testing";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as schema from "./index";

/**
 * Every column of every table, and what may reach it from outside: a value
 * a contract accepts must be one its column can hold, or the write (or the
 * cast in a WHERE) fails with a 500 instead of a 400 naming the field. The
 * columns are read from the Drizzle schema, so a new one fails this test
 * until it is classified here; what a column can hold is derived from its
 * type and whether an index covers it.
 */

/** How a client's value reaches a column through a contract. */
type Feed = {
  /** Where the value comes from, for failure messages. */
  from: string;
  /** Whether the contract accepts this input. */
  accepts(input: unknown): boolean;
  /** The column value an accepted input becomes (default: the input). */
  stored?(input: unknown): unknown;
  /** The input that would become this column value (default: the value). */
  input?(columnValue: unknown): unknown;
};
type Entry =
  /** Written only by the services from their own values (ids, clocks, states): why. */
  | { internal: string }
  /**
   * Carries what a client sent. Columns of a bounded type name every contract that feeds them.
   * `maxBytes`: the most UTF-8 bytes its contracts let in (4 per character), where an index holds it
   * beside another client-fed text column.
   */
  | { client: string; feeds?: Feed[]; maxBytes?: number };

const internal = (why: string): Entry => ({ internal: why });
const client = (from: string, ...feeds: Feed[]): Entry => ({ client: from, feeds });
/** A client-fed text column whose contracts bound it to `maxChars` characters (at most 4 UTF-8 bytes each). */
const boundedClient = (from: string, maxChars: number, ...feeds: Feed[]): Entry => ({
  client: from,
  feeds,
  maxBytes: maxChars * 4,
});

/** A feed through a zod schema: the input placed at `path` of an otherwise valid sample. */
function field(
  from: string,
  s: z.ZodType,
  sample: unknown,
  path: (string | number)[],
  extra: Partial<Feed> = {},
): Feed {
  const place = (input: unknown): unknown => {
    const copy = structuredClone(sample) as Record<string | number, unknown>;
    let node: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      node = node[key] as Record<string | number, unknown>;
    }
    node[path[path.length - 1] as string | number] = input;
    return copy;
  };
  if (!s.safeParse(sample).success) {
    throw new Error(`${from}: the sample itself is refused`);
  }
  return { from, accepts: (input) => s.safeParse(place(input)).success, ...extra };
}
const whole = (from: string, s: z.ZodType, extra: Partial<Feed> = {}): Feed => ({
  from,
  accepts: (input) => s.safeParse(input).success,
  ...extra,
});

const JOB = "0b6a3f8e-5f1c-4f0e-9a57-3c1d2e4f5a6b";
const completed = {
  job_id: JOB,
  status: "completed",
  progress: 100,
  data: {
    images: [{ file_path: `images/${JOB}/image_1.png`, format: "PNG", size_bytes: 1, dimensions: "64x64" }],
    videos: [
      {
        file_path: `videos/${JOB}/video_1.mp4`,
        poster_path: `videos/${JOB}/video_1_poster.jpg`,
        thumbnail_path: `videos/${JOB}/video_1_thumb.webp`,
        format: "MP4",
        size_bytes: 1,
        duration_seconds: 8,
        dimensions: "64x64",
      },
    ],
    metadata: { generation_time_seconds: 1 },
  },
};
// Each receiver parses with its kind's schema: a video field is judged by the video receiver's.
const webhook = (path: (string | number)[], extra: Partial<Feed> = {}) =>
  field(
    `webhook ${path.join(".")}`,
    WEBHOOK_PAYLOAD_SCHEMAS[path.includes("videos") ? "video" : "image"],
    completed,
    path,
    extra,
  );
const generatorRequests = (key: string) => [
  field(`generator image request ${key}`, generatorImageRequestSchema, { prompt: "p", user_id: "u" }, [key]),
  field(`generator video request ${key}`, generatorVideoRequestSchema, { prompt: "p", user_id: "u" }, [key]),
];
const dimension = (axis: "width" | "height") =>
  webhook(["data", "images", 0, "dimensions"], {
    input: (v) => (axis === "width" ? `${v}x1` : `1x${v}`),
    stored: (input) => parseSize(String(input))[axis],
  });
const fileKey = (path: (string | number)[]) => webhook(path);

/** Every column of both services' schemas (and the queue heartbeats), classified. */
const COLUMNS: Record<string, Entry> = {
  // better-auth's tables: better-auth makes ids, tokens, hashes and times.
  "public.users.id": internal("better-auth's generated id"),
  "public.users.name": client("sign-up / update-user name (auth-route: USER_NAME_MAX_LENGTH)"),
  "public.users.email": client("sign-up email", whole("better-auth email field", emailFieldSchema)),
  "public.users.email_verified": internal("better-auth"),
  "public.users.image": client("update-user image (an http(s) URL of at most URL_MAX_LENGTH)"),
  "public.users.role": internal("set by the sign-up hook from ADMIN_EMAILS"),
  "public.users.created_at": internal("clock"),
  "public.users.updated_at": internal("clock"),
  "public.users.disabled_at": internal("clock: set by an admin's disable"),
  "public.sessions.id": internal("better-auth"),
  "public.sessions.expires_at": internal("better-auth's clock"),
  "public.sessions.token": internal("better-auth's random token"),
  "public.sessions.created_at": internal("clock"),
  "public.sessions.updated_at": internal("clock"),
  "public.sessions.ip_address": client("the peer address (or X-Forwarded-For under TRUST_PROXY)"),
  "public.sessions.user_agent": client("User-Agent header (Node caps headers at 16 KiB; not indexed)"),
  "public.sessions.user_id": internal("the signed-in user"),
  "public.sessions.active_organization_id": internal("an organization the user belongs to (better-auth checks)"),
  "public.sessions.active_team_id": internal("teams are not enabled"),
  "public.accounts.id": internal("better-auth"),
  "public.accounts.account_id": internal("the user's id"),
  "public.accounts.provider_id": internal("'credential'"),
  "public.accounts.user_id": internal("the user"),
  "public.accounts.access_token": internal("no OAuth providers"),
  "public.accounts.refresh_token": internal("no OAuth providers"),
  "public.accounts.id_token": internal("no OAuth providers"),
  "public.accounts.access_token_expires_at": internal("no OAuth providers"),
  "public.accounts.refresh_token_expires_at": internal("no OAuth providers"),
  "public.accounts.scope": internal("no OAuth providers"),
  "public.accounts.password": internal("a hash of the password (better-auth caps it at 128 characters)"),
  "public.accounts.created_at": internal("clock"),
  "public.accounts.updated_at": internal("clock"),
  "public.verifications.id": internal("better-auth"),
  "public.verifications.identifier": internal("no endpoint writes one: email verification and resets are off"),
  "public.verifications.value": internal("better-auth"),
  "public.verifications.expires_at": internal("better-auth"),
  "public.verifications.created_at": internal("clock"),
  "public.verifications.updated_at": internal("clock"),
  "public.organizations.id": internal("better-auth / the sign-up hook"),
  "public.organizations.name": client("organization/create name (text, not indexed)"),
  "public.organizations.slug": client(
    "organization/create and update slug",
    whole("better-auth slug field", organizationSlugSchema),
  ),
  "public.organizations.logo": client("organization/create logo (text, not indexed)"),
  "public.organizations.metadata": client("organization/create metadata (text, not indexed)"),
  "public.organizations.created_at": internal("clock"),
  "public.members.id": internal("better-auth"),
  "public.members.organization_id": internal("an existing organization"),
  "public.members.user_id": internal("an existing user"),
  "public.members.role": client("a role better-auth checks against its list"),
  "public.members.created_at": internal("clock"),
  "public.invitations.id": internal("better-auth"),
  "public.invitations.organization_id": internal("an existing organization"),
  "public.invitations.email": client("invite-member email (not indexed; emailFieldSchema bounds it anyway)"),
  "public.invitations.role": client("a role better-auth checks"),
  "public.invitations.team_id": internal("teams are not enabled"),
  "public.invitations.status": internal("better-auth's state"),
  "public.invitations.expires_at": internal("better-auth's clock"),
  "public.invitations.created_at": internal("clock"),
  "public.invitations.inviter_id": internal("the signed-in user"),

  // Jobs: submissions, webhooks and the gallery's cursor.
  "public.generations.id": boundedClient(
    "a webhook's job_id for a job the web app never created (else randomUUID)",
    JOB_ID_MAX_LENGTH,
    webhook(["job_id"]),
  ),
  "public.generations.kind": internal("the route's kind"),
  "public.generations.author_id": internal("the signed-in user, or an existing user a webhook names"),
  "public.generations.organization_id": internal("the user's organization"),
  "public.generations.prompt": client("prompt (PROMPT_MAX_LENGTH) or a webhook's original_prompt (text, not indexed)"),
  "public.generations.params": client("the kind's parameters (jsonb)"),
  "public.generations.model": boundedClient(
    "the catalog model a submit names (checked against the catalog), a webhook's serving.model or metadata.model_name",
    MODEL_ID_MAX_LENGTH,
    whole("submit model", modelIdSchema),
    webhook(["data", "metadata", "model_name"]),
    field(
      "webhook serving.model",
      WEBHOOK_PAYLOAD_SCHEMAS.image,
      { ...completed, serving: { model: "m", provider: "p" } },
      ["serving", "model"],
    ),
  ),
  "public.generations.provider": client("a webhook's serving.provider or metadata.provider (text, not indexed)"),
  "public.generations.reported_at": client(
    "a webhook's timestamp, when it is a valid date",
    // What the receiver keeps of it (storableInstant): a time it drops is not written at all.
    webhook(["timestamp"], {
      stored: (input) => storableInstant(String(input))?.toISOString() ?? "1970-01-01T00:00:00Z",
    }),
  ),
  "public.generations.status": internal("the state machine"),
  "public.generations.progress": client("a webhook's progress", webhook(["progress"])),
  "public.generations.message": client("a webhook's message (text)"),
  "public.generations.error": client("a webhook's error_message (text)"),
  "public.generations.processing_time_ms": client(
    "a webhook's generation_time_seconds, in milliseconds (else measured and clamped to int4)",
    // As apply.ts's toJobEvent stores it.
    webhook(["data", "metadata", "generation_time_seconds"], {
      input: (ms) => Number(ms) / 1000,
      stored: (s) => Math.round(Number(s) * 1000),
    }),
  ),
  "public.generations.provider_metadata": client("a webhook's metadata (jsonb)"),
  "public.generations.idempotency_key": client(
    "Idempotency-Key header",
    whole("Idempotency-Key", idempotencyKeySchema),
  ),
  "public.generations.request_hash": internal("sha256 of the parameters"),
  "public.generations.created_at": client(
    "the gallery cursor's time (read: compared in the keyset WHERE)",
    field("gallery cursor", galleryCursorSchema, ["2026-01-01T00:00:00.000Z", "job"], [0]),
  ),
  "public.generations.updated_at": internal("clock"),
  "public.generations.started_at": internal("clock"),
  "public.generations.completed_at": internal("clock"),
  "public.generations.deleted_at": internal("clock"),
  "public.generations.repair_failures": internal("a counter of the reconciler's failed repairs"),
  "public.generations.error_kind": client(
    "a failed webhook's error_code (JOB_ERROR_CODE_MAX_LENGTH characters; text, not indexed) or the web app's own kinds",
  ),
  "public.generations.retry_of": internal("the id of the failed job an admin retried (an existing row)"),
  "public.media_files.id": internal("randomUUID"),
  "public.media_files.generation_id": internal("the job's id"),
  "public.media_files.index": internal("the file's position in the webhook's list (at most 64)"),
  "public.media_files.storage_key": client(
    "file_path",
    fileKey(["data", "images", 0, "file_path"]),
    fileKey(["data", "videos", 0, "file_path"]),
  ),
  "public.media_files.size_bytes": client(
    "size_bytes",
    webhook(["data", "images", 0, "size_bytes"]),
    webhook(["data", "videos", 0, "size_bytes"]),
  ),
  "public.media_files.format": client("format (at most 16 characters)"),
  "public.media_files.width": client("dimensions", dimension("width")),
  "public.media_files.height": client("dimensions", dimension("height")),
  "public.media_files.description": client("description (text)"),
  "public.media_files.duration_seconds": client("duration_seconds", webhook(["data", "videos", 0, "duration_seconds"])),
  "public.media_files.poster_key": client("poster_path", fileKey(["data", "videos", 0, "poster_path"])),
  "public.media_files.thumbnail_key": client(
    "thumbnail_path",
    fileKey(["data", "images", 0, "thumbnail_path"]),
    fileKey(["data", "videos", 0, "thumbnail_path"]),
  ),
  "public.media_files.metadata": internal("not written by any path today"),
  "public.media_files.state": internal("pending, stored or missing (a check constraint)"),
  "public.media_files.source_url": client("a webhook file's url (at most 4096 characters, text, not indexed)"),
  "public.media_files.missing_reason": internal("the safe fetcher's readable reason, cut to MISSING_REASON_MAX_LENGTH"),
  "public.media_files.created_at": internal("clock"),
  "public.media_files.moderation_state": internal("the screening task and admins' decisions (MODERATION_STATES)"),
  "public.media_files.nsfw_score": internal("the screening model's score, 0-1"),
  "public.media_files.moderation_scores": internal("the screening model's class scores (jsonb)"),
  "public.media_files.blurred_key": internal("heldPreviewKey of the file's own key"),
  "public.media_files.screened_at": internal("clock"),
  "public.notifications.id": internal("randomUUID"),
  "public.notifications.user_id": internal("the job's owner"),
  "public.notifications.type": internal("the kind's notification types"),
  "public.notifications.title": internal("fixed text"),
  "public.notifications.message": client("a webhook's error_message, or text around the prompt"),
  "public.notifications.metadata": internal("the job id and kind"),
  "public.notifications.read_at": internal("clock"),
  "public.notifications.created_at": internal("clock"),
  "public.user_events.id": client(
    "Last-Event-ID / ?last_event_id= (read: compared with the bigserial)",
    whole("Last-Event-ID", lastEventIdSchema, {
      input: (id) => (typeof id === "bigint" ? id.toString() : String(id)),
      stored: (s) => lastEventIdSchema.parse(s),
    }),
  ),
  "public.user_events.user_id": internal("the owner"),
  "public.user_events.type": internal("an event type"),
  "public.user_events.data": client("job and notification events (jsonb)"),
  "public.user_events.created_at": internal("clock"),
  "public.webhook_events.id": client("webhook-id header", whole("webhook-id", webhookIdSchema)),
  "public.webhook_events.job_id": client("a webhook's job_id", webhook(["job_id"])),
  "public.webhook_events.status": client("a webhook's status (one of WIRE_STATUSES)"),
  "public.webhook_events.received_at": internal("clock"),

  // The generator's tables.
  "public.admin_actions.id": internal("bigserial"),
  "public.admin_actions.admin_id": internal("the signed-in admin"),
  "public.admin_actions.action": internal("a fixed action name"),
  "public.admin_actions.target_type": internal("a fixed target kind"),
  "public.admin_actions.target_id": internal("the id of a row (or delivery) the action found first"),
  "public.admin_actions.detail": internal("counts and states the action computed (jsonb)"),
  "public.admin_actions.created_at": internal("clock"),
  "public.moderation_decisions.id": internal("randomUUID"),
  "public.moderation_decisions.media_file_id": internal("an existing file"),
  "public.moderation_decisions.generation_id": internal("the file's job"),
  "public.moderation_decisions.storage_key": internal("the file's stored key"),
  "public.moderation_decisions.owner_id": internal("the file's owner"),
  "public.moderation_decisions.nsfw_score": internal("the file's stored score"),
  "public.moderation_decisions.decision": internal("one of MODERATION_DECISIONS, parsed by the route"),
  "public.moderation_decisions.decided_by": internal("the signed-in admin"),
  "public.moderation_decisions.decided_at": internal("clock"),
  "generator.jobs.id": client("the caller's job_id (else randomUUID)", ...generatorRequests("job_id")),
  "generator.jobs.kind": internal("the route's kind"),
  "generator.jobs.user_id": client("the caller's user_id (at most 255 characters, not indexed)"),
  "generator.jobs.request": client("the request's parameters (jsonb)"),
  "generator.jobs.input_key": internal("a key made from the job id (a caller's input_image_key must be exactly it)"),
  "generator.jobs.status": internal("the pipeline"),
  "generator.jobs.attempts": internal("a counter"),
  "generator.jobs.progress": internal("the state machine's progress (DEFAULT_PROGRESS), 0 to 100"),
  "generator.jobs.error": internal("the pipeline's readable reasons"),
  "generator.jobs.result": internal("the pipeline's files"),
  "generator.jobs.error_kind": internal("a ProviderError kind"),
  "generator.jobs.model": internal("the active catalog entry the submit resolved (or a fallback's)"),
  "generator.jobs.provider": internal("that entry's provider"),
  "generator.jobs.remote_handle": internal("a provider's own handle on the work (remoteHandleSchema, jsonb)"),
  "generator.jobs.remote_status": internal("the provider's status word, cut to 100 characters"),
  "generator.jobs.remote_submissions": internal("a counter of submissions to providers"),
  "generator.jobs.fallbacks": internal("the moves to fallback models the pipeline made (jsonb)"),
  "generator.jobs.created_at": internal("clock"),
  "generator.jobs.updated_at": internal("clock"),
  "generator.jobs.completed_at": internal("clock"),
  "generator.webhook_deliveries.id": internal("newWebhookId()"),
  "generator.webhook_deliveries.job_id": client("the caller's job_id", ...generatorRequests("job_id")),
  "generator.webhook_deliveries.event": internal("a wire status"),
  "generator.webhook_deliveries.url": internal("WEB_URL and the kind's path"),
  "generator.webhook_deliveries.body": internal("built by the generator from its job"),
  "generator.webhook_deliveries.state": internal("the delivery state machine"),
  "generator.webhook_deliveries.attempts": internal("a counter"),
  "generator.webhook_deliveries.last_status_code": internal("an HTTP status"),
  "generator.webhook_deliveries.last_error": internal("the delivery's error text"),
  "generator.webhook_deliveries.created_at": internal("clock"),
  "generator.webhook_deliveries.delivered_at": internal("clock"),
  "generator.webhook_attempts.id": internal("serial"),
  "generator.webhook_attempts.delivery_id": internal("the delivery"),
  "generator.webhook_attempts.attempted_at": internal("clock"),
  "generator.webhook_attempts.status_code": internal("an HTTP status"),
  "generator.webhook_attempts.error": internal("the attempt's error text"),
  "generator.webhook_attempts.duration_ms": internal("measured, at most the 15 s attempt timeout"),
  "generator.provider_calls.id": internal("bigserial"),
  "generator.provider_calls.job_id": internal("the job being run"),
  "generator.provider_calls.attempt": internal("the run's attempt number"),
  "generator.provider_calls.provider": internal("the serving catalog entry's provider"),
  "generator.provider_calls.model": internal("the serving catalog model id"),
  "generator.provider_calls.request_id": internal("the provider's request id, cut to PROVIDER_REQUEST_ID_MAX_LENGTH"),
  "generator.provider_calls.started_at": internal("clock"),
  "generator.provider_calls.duration_ms": internal("measured"),
  "generator.provider_calls.outcome": internal("ok or a ProviderError kind"),
  "generator.provider_calls.error_kind": internal("a ProviderError kind"),
  "generator.provider_calls.error": internal("the pipeline's readable reasons"),
  "queue_health.heartbeats.pool_id": internal("graphile-worker's pool id"),
  "queue_health.heartbeats.queue": internal("a queue name"),
  "queue_health.heartbeats.pid": internal("process.pid"),
  "queue_health.heartbeats.last_seen": internal("clock"),

  // The library: ids a client names are looked up in the owner's rows first; only found ones are written.
  "public.favorites.id": internal("randomUUID"),
  "public.favorites.owner_id": internal("the signed-in user"),
  "public.favorites.generation_id": internal("one of the owner's jobs, found first"),
  "public.favorites.media_file_id": internal("a file of one of the owner's jobs, found first"),
  "public.favorites.created_at": internal("clock"),
  "public.collections.id": internal("randomUUID"),
  "public.collections.owner_id": internal("the signed-in user"),
  "public.collections.name": client("a collection's name (COLLECTION_NAME_MAX_LENGTH code points; text, not indexed)"),
  "public.collections.created_at": internal("clock"),
  "public.collections.updated_at": internal("clock"),
  "public.collection_items.id": internal("randomUUID"),
  "public.collection_items.collection_id": internal("one of the owner's collections, found first"),
  "public.collection_items.generation_id": internal("one of the owner's jobs, found first"),
  "public.collection_items.media_file_id": internal("a file of one of the owner's jobs, found first"),
  "public.collection_items.added_at": internal("clock"),
  "public.share_links.id": internal("randomUUID"),
  "public.share_links.owner_id": internal("the signed-in user"),
  "public.share_links.token_hash": internal("the SHA-256 of a random token"),
  "public.share_links.generation_id": internal("one of the owner's jobs, found first"),
  "public.share_links.collection_id": internal("one of the owner's collections, found first"),
  "public.share_links.expires_at": internal(
    "the clock plus expires_in_seconds (an int between SHARE_EXPIRY_MIN_SECONDS and _MAX_SECONDS)",
  ),
  "public.share_links.created_at": internal("clock"),
};

/** What a column's type (and an index over it) can hold: the values just past it, and the test for one. */
type Holds = { what: string; edges: unknown[]; fits(value: unknown): boolean; arbitrary: fc.Arbitrary<unknown> };

const INT4: Holds = {
  what: "integer (int4)",
  edges: [PG_INTEGER_MAX, PG_INTEGER_MAX + 1, PG_INTEGER_MIN, PG_INTEGER_MIN - 1, 0.5, 62.5, 3e9, 1e39, -1e39],
  fits: (v) => Number.isInteger(v) && (v as number) >= PG_INTEGER_MIN && (v as number) <= PG_INTEGER_MAX,
  arbitrary: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.integer().map((n) => n * 1000 + 0.5),
  ),
};
const INT8_AS_NUMBER: Holds = {
  what: "bigint read as a JavaScript number (safe integers only)",
  edges: [Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 2n ** 63n, 2n ** 64n, 1e21, 0.5, -1],
  fits: (v) => Number.isSafeInteger(v),
  arbitrary: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: 0n, max: 2n ** 70n })),
};
const FLOAT4: Holds = {
  what: "real (float4)",
  edges: [PG_REAL_MAX, 3.5e38, 1e39, -1e39, 1e-40, 1e-46, -1e-46, Number.MIN_VALUE, Number.MAX_VALUE],
  // What PostgreSQL's float4 input refuses: beyond the largest float4, or non-zero yet rounding to 0.
  fits: (v) => typeof v === "number" && Number.isFinite(Math.fround(v)) && (v === 0 || Math.fround(v) !== 0),
  arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }),
};
const TIMESTAMP: Holds = {
  what: "timestamptz (from ISO text)",
  edges: [
    "0000-01-01T00:00:00.000Z",
    "0000-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "+275760-09-13T00:00:00.000Z",
  ],
  fits: (v) => typeof v === "string" && Date.parse(v) >= PG_TIMESTAMP_MIN_MS,
  arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
};
const textOverIndex = (unit: string) => unit.repeat(Math.floor(INDEXED_TEXT_MAX_BYTES / utf8Length(unit)) + 1);
const INDEXED_TEXT: Holds = {
  what: `text in an index (at most INDEXED_TEXT_MAX_BYTES = ${INDEXED_TEXT_MAX_BYTES} bytes of UTF-8)`,
  edges: [
    ...["a", "é", "日", "😀", "e\u0301"].map(textOverIndex),
    noise(INDEXED_TEXT_MAX_BYTES + 1, 0x21, 94),
    noise(Math.ceil(INDEXED_TEXT_MAX_BYTES / 3) + 1, 0x4e00, 20_000),
  ],
  fits: (v) => typeof v === "string" && utf8Length(v) <= INDEXED_TEXT_MAX_BYTES,
  arbitrary: fc.string({ unit: fc.constantFrom("a", "-", "é", "日", "😀", "/"), minLength: 100, maxLength: 1500 }),
};

/** The bound a column's type sets on what clients put in it, or null when only the body limits bound it. */
function holdsOf(columnType: string, indexed: boolean): Holds | null {
  switch (columnType) {
    case "PgInteger":
    case "PgSerial":
      return INT4;
    case "PgBigInt53":
    case "PgBigSerial53":
      return INT8_AS_NUMBER;
    case "PgReal":
      return FLOAT4;
    case "PgTimestamp":
      return TIMESTAMP;
    case "PgText":
      return indexed ? INDEXED_TEXT : null;
    case "PgJsonb":
    case "PgBoolean":
      return null;
    default:
      throw new Error(`no bound known for ${columnType}: teach holdsOf this type`);
  }
}

type Column = { key: string; columnType: string; indexed: boolean };
type IndexInfo = { name: string; columns: string[] };

function readSchema(): { columns: Column[]; indexes: IndexInfo[] } {
  const columns: Column[] = [];
  const indexes: IndexInfo[] = [];
  const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
  for (const table of tables) {
    const config = getTableConfig(table);
    const prefix = `${config.schema ?? "public"}.${config.name}`;
    const inIndex = new Set<string>();
    for (const index of config.indexes) {
      const names = index.config.columns.map((c) => ("name" in c ? String(c.name) : "(expression)"));
      names.forEach((n) => {
        inIndex.add(n);
      });
      indexes.push({ name: index.config.name ?? prefix, columns: names.map((n) => `${prefix}.${n}`) });
    }
    for (const unique of config.uniqueConstraints) {
      for (const c of unique.columns) {
        inIndex.add(c.name);
      }
    }
    for (const c of config.columns) {
      const indexed = c.primary || c.isUnique || inIndex.has(c.name);
      columns.push({ key: `${prefix}.${c.name}`, columnType: c.columnType, indexed });
    }
  }
  return { columns, indexes };
}

const { columns, indexes } = readSchema();

describe("every column holds what its contracts accept", () => {
  it("classifies every column of the schema, and only those", () => {
    const real = columns.map((c) => c.key).sort();
    const listed = Object.keys(COLUMNS).sort();
    expect(
      real.filter((k) => !(k in COLUMNS)),
      "columns to classify in COLUMNS (internal, or the contracts that feed them)",
    ).toEqual([]);
    expect(
      listed.filter((k) => !real.includes(k)),
      "entries for columns that no longer exist",
    ).toEqual([]);
  });

  it("names the contracts of every client-fed column whose type bounds what it holds", () => {
    const unfed = columns.filter((c) => {
      const entry = COLUMNS[c.key];
      return entry && "client" in entry && holdsOf(c.columnType, c.indexed) && !entry.feeds?.length;
    });
    expect(unfed.map((c) => `${c.key} (${c.columnType})`)).toEqual([]);
  });

  it("puts at most one client-fed text column in any index (each may take half a btree row)", () => {
    expect(INDEXED_TEXT_MAX_BYTES * 2).toBeLessThanOrEqual(BTREE_ROW_MAX_BYTES);
    // More than one is allowed only when each is bounded (`maxBytes`) and together they fit a btree row.
    const crowded = indexes.filter((index) => {
      const clientText = index.columns.flatMap((k) => {
        const entry = COLUMNS[k];
        return entry && "client" in entry && columns.find((c) => c.key === k)?.columnType === "PgText" ? [entry] : [];
      });
      if (clientText.length <= 1) {
        return false;
      }
      const bounds = clientText.map((e) => ("client" in e ? e.maxBytes : undefined));
      return (
        bounds.some((b) => b === undefined) || bounds.reduce<number>((a, b) => a + (b ?? 0), 0) > BTREE_ROW_MAX_BYTES
      );
    });
    expect(crowded.map((i) => i.name)).toEqual([]);
  });

  const fed = columns.flatMap((c) => {
    const entry = COLUMNS[c.key];
    const holds = holdsOf(c.columnType, c.indexed);
    return entry && "client" in entry && holds ? (entry.feeds ?? []).map((feed) => ({ c, holds, feed })) : [];
  });

  it.each(fed.map((f) => [`${f.c.key} ← ${f.feed.from}`, f] as const))(
    "%s: every accepted value fits",
    (_name, { holds, feed }) => {
      const accepted = (columnValue: unknown) => {
        const input = feed.input ? feed.input(columnValue) : columnValue;
        return feed.accepts(input) ? { input, stored: feed.stored ? feed.stored(input) : input } : null;
      };
      for (const edge of holds.edges) {
        const hit = accepted(edge);
        if (hit) {
          expect(holds.fits(hit.stored), `${holds.what}: accepted ${String(hit.input).slice(0, 60)}`).toBe(true);
        }
      }
      fc.assert(
        fc.property(holds.arbitrary, (value) => {
          const hit = accepted(value);
          return hit === null || holds.fits(hit.stored);
        }),
        { numRuns: 300 },
      );
    },
  );

  it("finds every bound by probing: each named feed refuses the edge just past its column", () => {
    // The edges that once were 500s, each refused by its contract.
    const refused = (key: string, columnValue: unknown) =>
      (COLUMNS[key] as { feeds: Feed[] }).feeds.every((f) => !f.accepts(f.input ? f.input(columnValue) : columnValue));
    expect(refused("public.generations.progress", 62.5)).toBe(true);
    expect(refused("public.generations.processing_time_ms", 3e9)).toBe(true);
    expect(refused("public.media_files.duration_seconds", 1e39)).toBe(true);
    expect(refused("public.media_files.duration_seconds", 1e-46)).toBe(true);
    expect(refused("public.webhook_events.id", noise(8192, 0x21, 94))).toBe(true);
    expect(refused("public.generations.created_at", "0000-01-01T00:00:00.000Z")).toBe(true);
    expect(refused("public.generations.processing_time_ms", (GENERATION_TIME_MAX_SECONDS + 1) * 1000)).toBe(true);
  });
});
