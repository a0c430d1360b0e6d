import { PG_INTEGER_MAX } from "./storable";

/**
 * Every limit the system enforces, named once. Both services and the tests
 * import these; a limit is never a bare number at its point of use.
 */

/**
 * Longest prompt accepted, in characters counted as Unicode code points (an
 * emoji is one, however many UTF-16 units it takes): what zod's `.max` and the
 * form's counter count. 4000 code points are at most 16 KB of UTF-8, far
 * inside SUBMIT_BODY_MAX_BYTES.
 */
export const PROMPT_MAX_LENGTH = 4000;

/**
 * An error message a job stores and shows (its own, a provider's, the
 * generator's) is cut to this many UTF-16 units by `truncateText`, never
 * refused: a failure must always be recordable. As much as a webhook's
 * `error_message` may carry, so the generator's reason always fits it.
 */
export const JOB_ERROR_MAX_LENGTH = 10_000;
/** A failure's kind in a word (`error_code` of a failed webhook, `generations.error_kind`): a name, never prose. */
export const JOB_ERROR_CODE_MAX_LENGTH = 64;
/** A provider's request id as recorded for the admin console (ids are tens of characters; anything longer is cut). */
export const PROVIDER_REQUEST_ID_MAX_LENGTH = 255;

/** The prompt quoted in a "ready" notification is cut to this many UTF-16 units (by `truncateText`). */
export const NOTIFICATION_PROMPT_EXCERPT_LENGTH = 80;

/** Images per image job. */
export const NUM_IMAGES_MIN = 1;
export const NUM_IMAGES_MAX = 4;

/** Longest catalog model id: fal and Replicate ids are owner/app/path, well under this. */
export const MODEL_ID_MAX_LENGTH = 200;

/**
 * A seed: the unsigned 32-bit range, what every hosted model we call takes
 * (fal, Replicate, BFL, ComfyUI's KSampler accepts more but is fine with it).
 */
export const SEED_MAX = 4_294_967_295;
/** Denoising steps: above every model's own bound (FLUX dev 50, SDXL 150); the model's capabilities narrow it. */
export const STEPS_MAX = 150;
/** Guidance (CFG) scale: above every model's own bound (fal's FLUX dev 20, Stable Diffusion 30); narrowed by the model. */
export const GUIDANCE_MAX = 30;

/** Longest URL accepted for `input_image_url`. */
export const URL_MAX_LENGTH = 2048;

/** Longest `Idempotency-Key` header accepted. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Job ids chosen by callers (the generator honours the web app's). */
export const JOB_ID_MAX_LENGTH = 128;
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** JSON bodies of job submissions, refused before parsing beyond this. */
export const SUBMIT_BODY_MAX_BYTES = 64 * 1024;

/** Webhook bodies, refused before parsing beyond this. */
export const WEBHOOK_BODY_MAX_BYTES = 1024 * 1024;

/** Standard Webhooks: a delivery whose timestamp is further off than this is refused (replay window). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** Plain webhook secrets (no `whsec_` prefix) shorter than this, in UTF-8 bytes, are refused at start-up. */
export const WEBHOOK_SECRET_MIN_BYTES = 32;

/**
 * A `whsec_` secret's key (the base64-decoded part) shorter than this is
 * refused at start-up: the Standard Webhooks minimum (192 bits), and the
 * length Svix issues, so a secret brought from there is accepted.
 */
export const WEBHOOK_KEY_MIN_BYTES = 24;

/** The key of a generated `whsec_` secret, in random bytes (Standard Webhooks allows 24 to 64). */
export const WEBHOOK_KEY_GENERATED_BYTES = 32;

/**
 * Bodies of the admin console's small JSON requests (a role, a decision): a few dozen bytes each,
 * capped like the auth bodies so that a value far too long (10,000 characters) still parses and
 * is refused 400 naming its field; only a body past this is a 413, which cannot say which.
 */
export const ADMIN_SMALL_BODY_MAX_BYTES = 16 * 1024;

/** Keyset pages. */
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

/**
 * Thumbnails the generator makes beside every image and video poster: WEBP,
 * longest side at most this many pixels (never enlarged). Small enough for a
 * gallery card at 2× density, a few KiB each.
 */
export const THUMBNAIL_MAX_SIDE = 384;

/** JSON bodies of sign-up, sign-in and the other better-auth endpoints, refused before parsing beyond this. */
export const AUTH_BODY_MAX_BYTES = 16 * 1024;

/** Longest display name accepted at sign-up. */
export const USER_NAME_MAX_LENGTH = 100;

/**
 * Bodies of endpoints that take none (cancel, mark read, status reads…):
 * anything declared larger is refused before the handler runs.
 */
export const EMPTY_BODY_MAX_BYTES = 1024;

/**
 * After refusing a body it has not read (413, or 401 without the service
 * key), a server reads and drops at most this much more of it, then stops
 * reading and closes the connection once the client has been silent this
 * long (a "lingering close": a client still sending, on a loaded machine,
 * is not cut off mid-body, which would lose the refusal to a reset). Closing at once, while the client still sends, makes
 * the kernel answer with a reset that destroys the refusal before many
 * clients read it (Node's fetch reads nothing until its upload is done).
 * Dropped bytes are never kept. It is more than the largest body any route
 * accepts (a video submit carrying its input image, ~9.4 MiB), so a body just
 * over its limit is read whole and its refusal always arrives: when the drain
 * stopped short of the body's end, a client slow to read (a loaded machine)
 * met the reset with the answer still unread in its buffer, and the kernel
 * throws that away.
 */
export const REFUSED_BODY_DRAIN_BYTES = 16 * 1024 * 1024;
export const REFUSED_BODY_CLOSE_AFTER_MS = 10_000;

/** Per-user quotas (defaults; USER_SUBMISSIONS_PER_MINUTE and USER_MAX_ACTIVE_JOBS override them). */
export const USER_SUBMISSIONS_PER_MINUTE_DEFAULT = 30;
export const USER_MAX_ACTIVE_JOBS_DEFAULT = 10;
/** The window of USER_SUBMISSIONS_PER_MINUTE. */
export const SUBMISSION_WINDOW_SECONDS = 60;
/**
 * Retry-After when the active-jobs quota is full: when a slot frees cannot be
 * known (a job runs seconds to minutes), so a short poll interval is advised.
 */
export const ACTIVE_JOBS_RETRY_AFTER_SECONDS = 5;

/**
 * Values a webhook reports that land in a column, bounded by that column (see
 * storable.ts; `packages/db/src/schema/fits.test.ts` checks each).
 */
/** `progress`: a whole percentage (generations.progress is an integer column; documents 000/002 send 25, 50, 60…). */
export const PROGRESS_MAX = 100;
/** `generation_time_seconds` is stored in milliseconds in an int4 column: at most ~24.8 days. */
export const GENERATION_TIME_MAX_SECONDS = Math.floor(PG_INTEGER_MAX / 1000);
/** A reported video's length: no provider makes one near a day long (float4 itself would hold up to ~3.4e38). */
export const VIDEO_FILE_DURATION_MAX_SECONDS = 24 * 3600;
/** A non-zero reported length below a millisecond is no video (and float4 refuses, as an underflow, below ~1.4e-45). */
export const VIDEO_FILE_DURATION_MIN_SECONDS = 0.001;
/**
 * Storage keys a webhook reports (`file_path`, `poster_path`, `thumbnail_path`): the stores' own
 * key limit (STORAGE_KEY_MAX_LENGTH in packages/storage); each lands in a unique-indexed column.
 */
export const FILE_KEY_MAX_LENGTH = 512;
/**
 * `webhook-id`: the primary key of webhook_events. Standard Webhooks senders use short ids
 * (svix: `msg_` and 27 characters); 8 KiB of header once failed the index (a 500).
 */
export const WEBHOOK_ID_MAX_LENGTH = 256;

/** An email address, at sign-up and wherever better-auth stores one: RFC 5321's longest path (users.email is unique-indexed). */
export const EMAIL_MAX_LENGTH = 254;
/** An organization's slug (organizations.slug is unique-indexed); personal ones are `personal-{user id}`. */
export const ORGANIZATION_SLUG_MAX_LENGTH = 128;

/**
 * An `X-Request-Id` a client or a proxy sends is kept (echoed, logged, passed
 * on to the generator) only if it is at most this long and made of
 * REQUEST_ID_PATTERN's characters: room for a UUID, a ULID, a trace id with
 * its prefix, never a way to write arbitrary text into every log line.
 * Anything else is replaced by a generated id, not refused.
 */
export const HTTP_REQUEST_ID_MAX_LENGTH = 128;

/**
 * Signed media links (`/api/media/{key}?expires=&signature=`: the input image
 * a documents backend is sent as `input_image_url`) work this long: a backend
 * fetches it when it starts the job, and an hour covers a queue in front of
 * it. MEDIA_LINK_SECONDS overrides it.
 */
export const MEDIA_LINK_SECONDS_DEFAULT = 3600;
