import {
  ADMIN_DELIVERY_FILTERS,
  ADMIN_MODERATION_FILTERS,
  ADMIN_ROLES,
  ADMIN_SMALL_BODY_MAX_BYTES,
  AUTH_BODY_MAX_BYTES,
  COLLECTION_BODY_MAX_BYTES,
  COLLECTION_NAME_MAX_LENGTH,
  GALLERY_STATUS_FILTER_VALUES,
  GUIDANCE_MAX,
  IMAGE_FORMATS,
  IMAGE_QUALITIES,
  IMAGE_SIZES,
  IMAGE_STYLES,
  INPUT_IMAGE_KEY_MAX_LENGTH,
  JOB_KINDS,
  JOB_STATUSES,
  MODEL_ID_MAX_LENGTH,
  MODERATION_DECISIONS,
  NUM_IMAGES_MAX,
  NUM_VIDEOS_MAX,
  PAGE_SIZE_MAX,
  PERSON_GENERATION_MODES,
  PROGRESS_MAX,
  PROMPT_MAX_LENGTH,
  SEARCH_QUERY_MAX_LENGTH,
  SEED_MAX,
  SHARE_BODY_MAX_BYTES,
  SHARE_EXPIRY_MAX_SECONDS,
  SHARE_EXPIRY_MIN_SECONDS,
  SHARED_FILE_VARIANTS,
  STEPS_MAX,
  SUBMIT_BODY_MAX_BYTES,
  USER_NAME_MAX_LENGTH,
  VIDEO_ASPECT_RATIOS,
  VIDEO_DURATION_MAX_SECONDS,
  VIDEO_SUBMIT_BODY_MAX_BYTES,
  WEBHOOK_BODY_MAX_BYTES,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WIRE_STATUSES,
} from "@sorami/contracts";
import type { Fixtures } from "./fixtures";

/**
 * Every HTTP route of both services, one entry each: methods, the path as
 * its route file (web) or Fastify (generator) names it, who may call it,
 * and probes — concrete requests a legitimate caller makes, with the shape
 * of their inputs. The authorization test and the bad-input corpus both
 * enumerate the real routes and fail on any route missing here, so a new
 * route cannot ship without its entry.
 *
 * To add a route: one entry, with `auth` and one probe per endpoint it serves
 * (the better-auth catch-all has several). Give `body.fields` for a JSON
 * body, `query` for query parameters, `pathId` when the path names a
 * resource (another user must get 404 for it), `stream` for an event stream.
 * For example `GET /api/events` would be `{ service: "web", methods: ["GET"],
 * path: "/api/events", auth: "user", probes: [{ method: "GET", url: () =>
 * "/api/events", stream: true }] }`; `DELETE /api/images/[id]` a user entry
 * whose probe has `pathId` (and deletes a job made for it, not a fixture).
 */

/**
 * user: a session (cookie or bearer); another user's resources are 404.
 * admin: a session with the admin role (403 for other users).
 * webhook: a Standard Webhooks signature with the shared secret.
 * service: the generator's service key.
 * metrics: the METRICS_TOKEN as a bearer (Prometheus); 404 when no token is configured.
 * public: no credentials (health, JSON 404s); better-auth: its own endpoints.
 * share: no credentials; the share token in the path is the key (an unknown,
 * revoked or expired one is a 404).
 */
export type Auth = "user" | "admin" | "webhook" | "service" | "metrics" | "public" | "better-auth" | "share";

/** What one input is, which decides the bad values the corpus sends for it. `nullable`: null means "none". */
export type Field = FieldKind & { required?: boolean; nullable?: boolean };
type FieldKind =
  /** Free text: bounded, no control characters (a prompt). `trimmed`: whitespace alone is empty. */
  | { kind: "text"; max: number; trimmed?: boolean }
  /** A whole number in [min, max]. */
  | { kind: "int"; min: number; max: number }
  /** Any number in [min, max], fractions allowed. */
  | { kind: "number"; min: number; max: number }
  | { kind: "enum"; values: readonly string[] }
  /** An http(s) URL, or "" for none. */
  | { kind: "url" }
  /** A PNG/JPEG/WEBP as base64. */
  | { kind: "image-base64" }
  /** A job id: letters, digits, '-' and '_'. */
  | { kind: "id" }
  /** An ISO 8601 date and time, within what timestamptz holds. */
  | { kind: "datetime" }
  /** A string with no other rule than its length (user ids, emails, passwords). */
  | { kind: "string"; max: number };

export type Probe = {
  /** Row label in the corpus table; defaults to "METHOD path". */
  label?: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The URL path of a legitimate request by the owner (fixtures give ids). */
  url(f: Fixtures): string;
  /** The path names a resource: `build(id)` makes the path for any id; the owner's is `url(f)`. */
  pathId?: { build(id: string): string };
  query?: Record<string, Field>;
  body?: {
    sample(f: Fixtures): Record<string, unknown>;
    fields: Record<string, Field>;
    maxBytes: number;
    /** false: the endpoint reads the raw body whatever its type (signed webhooks). */
    checksContentType?: boolean;
    /** false: unknown fields are ignored, not refused (webhooks, better-auth). */
    strict?: boolean;
    /** true: application/x-www-form-urlencoded is a second accepted type (better-auth). */
    acceptsForm?: boolean;
  };
  /** The status the owner's legitimate request gets (authorization sanity check); default 2xx. */
  ownerStatus?: number;
  /** The answer is a stream that does not end (server-sent events): only its status and headers are read. */
  stream?: boolean;
};

export type RouteEntry = {
  service: "web" | "generator";
  methods: Probe["method"][];
  path: string;
  auth: Auth;
  probes: Probe[];
};

/** A catalog model id: malformed is a 400 here (well formed but not active is the catalog's 422, tested apart). */
const modelField: Field = { kind: "string", max: MODEL_ID_MAX_LENGTH };
const seedField: Field = { kind: "int", min: 0, max: SEED_MAX };

const imageFields: Record<string, Field> = {
  prompt: { kind: "text", max: PROMPT_MAX_LENGTH, required: true, trimmed: true },
  model: modelField,
  negative_prompt: { kind: "text", max: PROMPT_MAX_LENGTH },
  seed: seedField,
  steps: { kind: "int", min: 1, max: STEPS_MAX },
  guidance: { kind: "number", min: 0, max: GUIDANCE_MAX },
  input_image_url: { kind: "url" },
  num_images: { kind: "int", min: 1, max: NUM_IMAGES_MAX },
  size: { kind: "enum", values: IMAGE_SIZES },
  format: { kind: "enum", values: IMAGE_FORMATS },
  style: { kind: "enum", values: IMAGE_STYLES },
  quality: { kind: "enum", values: IMAGE_QUALITIES },
};
const imageSample = { prompt: "a lighthouse at dusk", num_images: 1, size: "256x256", format: "PNG" };

const videoFields: Record<string, Field> = {
  prompt: { kind: "text", max: PROMPT_MAX_LENGTH, required: true, trimmed: true },
  model: modelField,
  seed: seedField,
  negative_prompt: { kind: "text", max: PROMPT_MAX_LENGTH },
  aspect_ratio: { kind: "enum", values: VIDEO_ASPECT_RATIOS },
  duration_seconds: { kind: "int", min: 1, max: VIDEO_DURATION_MAX_SECONDS },
  number_of_videos: { kind: "int", min: 1, max: NUM_VIDEOS_MAX },
  person_generation: { kind: "enum", values: PERSON_GENERATION_MODES },
  input_image_base64: { kind: "image-base64" },
  input_image_url: { kind: "url" },
};
const videoSample = { prompt: "waves on a beach", duration_seconds: 1, aspect_ratio: "1:1" };

const generatorOwner: Record<string, Field> = {
  job_id: { kind: "id" },
  user_id: { kind: "string", max: 255, required: true },
};

const webhookFields: Record<string, Field> = {
  job_id: { kind: "id", required: true },
  user_id: { kind: "string", max: 255 },
  status: { kind: "enum", values: WIRE_STATUSES, required: true },
  timestamp: { kind: "string", max: 64 },
  environment: { kind: "string", max: 64 },
  message: { kind: "string", max: 10_000, nullable: true },
  progress: { kind: "int", min: 0, max: PROGRESS_MAX },
  error_message: { kind: "string", max: 10_000, nullable: true },
  /** Document 003's proposal, read beside user_id as well as in data (a backend-direct job's prompt). */
  original_prompt: { kind: "string", max: WEBHOOK_DESCRIPTION_MAX_LENGTH },
};

function takeSpare(pool: string[]): string {
  const id = pool.shift();
  if (!id) {
    throw new Error("no spare job left for a DELETE probe: raise SPARE_JOBS in fixtures.ts");
  }
  return id;
}

const jobRoutes = (
  plural: "images" | "videos",
  job: (f: Fixtures) => string,
  spares: (f: Fixtures) => string[],
): RouteEntry[] => [
  {
    service: "web",
    methods: ["GET", "DELETE"],
    path: `/api/${plural}/[id]`,
    auth: "user",
    probes: [
      { method: "GET", url: (f) => `/api/${plural}/${job(f)}`, pathId: { build: (id) => `/api/${plural}/${id}` } },
      {
        method: "DELETE",
        // Each legitimate delete takes a job of its own, so the owner's next one is not a 404.
        url: (f) => `/api/${plural}/${takeSpare(spares(f))}`,
        pathId: { build: (id) => `/api/${plural}/${id}` },
        ownerStatus: 204,
      },
    ],
  },
  {
    service: "web",
    methods: ["POST"],
    path: `/api/${plural}/[id]/rerun`,
    auth: "user",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/${plural}/${job(f)}/rerun`,
        pathId: { build: (id) => `/api/${plural}/${id}/rerun` },
        ownerStatus: 202,
      },
    ],
  },
  {
    service: "web",
    methods: ["POST"],
    path: `/api/${plural}/generate`,
    auth: "user",
    probes: [
      {
        method: "POST",
        url: () => `/api/${plural}/generate`,
        body:
          plural === "images"
            ? { sample: () => imageSample, fields: imageFields, maxBytes: SUBMIT_BODY_MAX_BYTES }
            : { sample: () => videoSample, fields: videoFields, maxBytes: VIDEO_SUBMIT_BODY_MAX_BYTES },
        ownerStatus: 202,
      },
    ],
  },
  ...(["status", "result"] as const).map(
    (leaf): RouteEntry => ({
      service: "web",
      methods: ["GET"],
      path: `/api/${plural}/[id]/${leaf}`,
      auth: "user",
      probes: [
        {
          method: "GET",
          url: (f) => `/api/${plural}/${job(f)}/${leaf}`,
          pathId: { build: (id) => `/api/${plural}/${id}/${leaf}` },
        },
      ],
    }),
  ),
  {
    service: "web",
    methods: ["POST"],
    path: `/api/${plural}/[id]/cancel`,
    auth: "user",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/${plural}/${job(f)}/cancel`,
        pathId: { build: (id) => `/api/${plural}/${id}/cancel` },
        // The owner's job has completed: a cancel is refused as a conflict, after ownership.
        ownerStatus: 409,
      },
    ],
  },
  {
    service: "web",
    methods: ["GET"],
    path: `/api/${plural}/user`,
    auth: "user",
    probes: [
      {
        method: "GET",
        url: () => `/api/${plural}/user`,
        query: libraryQuery,
      },
    ],
  },
  {
    service: "web",
    methods: ["GET"],
    path: `/api/${plural}/[id]/download`,
    auth: "user",
    probes: [
      {
        method: "GET",
        url: (f) => `/api/${plural}/${job(f)}/download`,
        pathId: { build: (id) => `/api/${plural}/${id}/download` },
      },
    ],
  },
];

/** The gallery's and the library's query: paging, status, search and filters. */
const libraryQuery: Record<string, Field> = {
  limit: { kind: "int", min: 1, max: PAGE_SIZE_MAX },
  cursor: { kind: "string", max: 512 },
  status: { kind: "enum", values: GALLERY_STATUS_FILTER_VALUES },
  q: { kind: "text", max: SEARCH_QUERY_MAX_LENGTH },
  // Not a model of the catalog (built-in or active) is a 400 naming it, like any other bad filter.
  model: modelField,
  favorite: { kind: "enum", values: ["true", "false"] },
  collection: { kind: "id" },
  from: { kind: "datetime" },
  to: { kind: "datetime" },
};

/** Two probes, PUT and DELETE, on one path (both idempotent). */
const putAndDelete = (url: (f: Fixtures) => string, build: (id: string) => string): Probe[] =>
  (["PUT", "DELETE"] as const).map((method) => ({ method, url, pathId: { build } }));

/** The library: favourites, collections, share links, and the public share routes. */
const libraryRoutes: RouteEntry[] = [
  {
    service: "web",
    methods: ["GET"],
    path: "/api/library",
    auth: "user",
    probes: [
      {
        method: "GET",
        url: () => "/api/library",
        query: { ...libraryQuery, kind: { kind: "enum", values: JOB_KINDS } },
      },
    ],
  },
  {
    service: "web",
    methods: ["PUT", "DELETE"],
    path: "/api/favorites/generations/[id]",
    auth: "user",
    probes: putAndDelete(
      (f) => `/api/favorites/generations/${f.imageJob}`,
      (id) => `/api/favorites/generations/${id}`,
    ),
  },
  {
    service: "web",
    methods: ["PUT", "DELETE"],
    path: "/api/favorites/files/[id]",
    auth: "user",
    probes: putAndDelete(
      (f) => `/api/favorites/files/${f.fileId}`,
      (id) => `/api/favorites/files/${id}`,
    ),
  },
  {
    service: "web",
    methods: ["GET", "POST"],
    path: "/api/collections",
    auth: "user",
    probes: [
      { method: "GET", url: () => "/api/collections" },
      {
        method: "POST",
        url: () => "/api/collections",
        body: {
          sample: () => ({ name: "Harbours" }),
          fields: { name: { kind: "text", max: COLLECTION_NAME_MAX_LENGTH, required: true, trimmed: true } },
          maxBytes: COLLECTION_BODY_MAX_BYTES,
        },
      },
    ],
  },
  {
    service: "web",
    methods: ["GET", "PATCH", "DELETE"],
    path: "/api/collections/[id]",
    auth: "user",
    probes: [
      {
        method: "GET",
        url: (f) => `/api/collections/${f.collection}`,
        pathId: { build: (id) => `/api/collections/${id}` },
      },
      {
        method: "PATCH",
        url: (f) => `/api/collections/${f.collection}`,
        pathId: { build: (id) => `/api/collections/${id}` },
        body: {
          sample: () => ({ name: "Fixtures" }),
          fields: { name: { kind: "text", max: COLLECTION_NAME_MAX_LENGTH, required: true, trimmed: true } },
          maxBytes: COLLECTION_BODY_MAX_BYTES,
        },
      },
      {
        method: "DELETE",
        url: (f) => `/api/collections/${takeSpare(f.spareCollections)}`,
        pathId: { build: (id) => `/api/collections/${id}` },
        ownerStatus: 204,
      },
    ],
  },
  {
    service: "web",
    methods: ["PUT", "DELETE"],
    path: "/api/collections/[id]/generations/[item]",
    auth: "user",
    probes: putAndDelete(
      (f) => `/api/collections/${f.collection}/generations/${f.videoJob}`,
      (id) => `/api/collections/${id}/generations/${id}`,
    ),
  },
  {
    service: "web",
    methods: ["PUT", "DELETE"],
    path: "/api/collections/[id]/files/[item]",
    auth: "user",
    probes: putAndDelete(
      (f) => `/api/collections/${f.collection}/files/${f.fileId}`,
      (id) => `/api/collections/${id}/files/${id}`,
    ),
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/collections/[id]/download",
    auth: "user",
    probes: [
      {
        method: "GET",
        url: (f) => `/api/collections/${f.collection}/download`,
        pathId: { build: (id) => `/api/collections/${id}/download` },
      },
    ],
  },
  {
    service: "web",
    methods: ["GET", "POST"],
    path: "/api/shares",
    auth: "user",
    probes: [
      {
        method: "GET",
        url: () => "/api/shares",
        query: { generation: { kind: "id" }, collection: { kind: "id" } },
      },
      {
        method: "POST",
        url: () => "/api/shares",
        body: {
          sample: (f) => ({ generation_id: f.imageJob, expires_in_seconds: SHARE_EXPIRY_MIN_SECONDS }),
          fields: {
            generation_id: { kind: "id" },
            collection_id: { kind: "id" },
            expires_in_seconds: {
              kind: "int",
              min: SHARE_EXPIRY_MIN_SECONDS,
              max: SHARE_EXPIRY_MAX_SECONDS,
              required: true,
              nullable: true,
            },
          },
          maxBytes: SHARE_BODY_MAX_BYTES,
        },
      },
    ],
  },
  {
    service: "web",
    methods: ["DELETE"],
    path: "/api/shares/[id]",
    auth: "user",
    probes: [
      {
        method: "DELETE",
        url: (f) => `/api/shares/${takeSpare(f.spareShares)}`,
        pathId: { build: (id) => `/api/shares/${id}` },
        ownerStatus: 204,
      },
    ],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/s/[token]",
    auth: "share",
    probes: [{ method: "GET", url: (f) => `/api/s/${f.shareToken}`, pathId: { build: (id) => `/api/s/${id}` } }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/s/[token]/files/[file]",
    auth: "share",
    probes: [
      {
        method: "GET",
        url: (f) => `/api/s/${f.shareToken}/files/${f.fileId}`,
        pathId: { build: (id) => `/api/s/${id}/files/${id}` },
        query: { variant: { kind: "enum", values: SHARED_FILE_VARIANTS }, download: { kind: "enum", values: ["1"] } },
      },
    ],
  },
];

const listQuery: Record<string, Field> = {
  cursor: { kind: "string", max: 512 },
  limit: { kind: "int", min: 1, max: PAGE_SIZE_MAX },
};

/** One admin entry: a path, its methods and its probes (the same shape for every admin route). */
const adminRoute = (path: string, probes: Probe[]): RouteEntry => ({
  service: "web",
  methods: [...new Set(probes.map((p) => p.method))],
  path,
  auth: "admin",
  probes,
});

/**
 * The admin console's API. Its actions aim at targets that let the probe be
 * repeated: the victim is disabled once and then stays (a repeated disable
 * or enable, or a role it already has, changes nothing); the cancel and the
 * moderation decision aim at a finished job and a file that is not held
 * (409); a retry makes a new job each time.
 */
const adminRoutes: RouteEntry[] = [
  adminRoute("/api/admin/overview", [{ method: "GET", url: () => "/api/admin/overview" }]),
  adminRoute("/api/admin/jobs", [
    {
      method: "GET",
      url: () => "/api/admin/jobs",
      // Free-text filters (model, provider, user, workspace) accept any bounded text: not in the corpus's table.
      query: {
        ...listQuery,
        status: { kind: "enum", values: JOB_STATUSES },
        kind: { kind: "enum", values: JOB_KINDS },
        from: { kind: "string", max: 64 },
        to: { kind: "string", max: 64 },
      },
    },
  ]),
  adminRoute("/api/admin/jobs/[id]", [
    {
      method: "GET",
      url: (f) => `/api/admin/jobs/${f.imageJob}`,
      pathId: { build: (id) => `/api/admin/jobs/${id}` },
    },
    {
      method: "DELETE",
      url: (f) => `/api/admin/jobs/${takeSpare(f.adminSpareJobs)}`,
      pathId: { build: (id) => `/api/admin/jobs/${id}` },
      ownerStatus: 204,
    },
  ]),
  adminRoute("/api/admin/jobs/[id]/cancel", [
    {
      method: "POST",
      url: (f) => `/api/admin/jobs/${f.imageJob}/cancel`,
      pathId: { build: (id) => `/api/admin/jobs/${id}/cancel` },
      ownerStatus: 409,
    },
  ]),
  adminRoute("/api/admin/jobs/[id]/retry", [
    {
      method: "POST",
      url: (f) => `/api/admin/jobs/${f.failedJob}/retry`,
      pathId: { build: (id) => `/api/admin/jobs/${id}/retry` },
      ownerStatus: 202,
    },
  ]),
  adminRoute("/api/admin/jobs/[id]/redeliver", [
    {
      method: "POST",
      url: (f) => `/api/admin/jobs/${f.imageJob}/redeliver`,
      pathId: { build: (id) => `/api/admin/jobs/${id}/redeliver` },
    },
  ]),
  adminRoute("/api/admin/deliveries", [
    {
      method: "GET",
      url: () => "/api/admin/deliveries",
      query: { ...listQuery, problem: { kind: "enum", values: ADMIN_DELIVERY_FILTERS } },
    },
  ]),
  adminRoute("/api/admin/users", [{ method: "GET", url: () => "/api/admin/users", query: listQuery }]),
  ...(["disable", "enable"] as const).map((action) =>
    adminRoute(`/api/admin/users/[id]/${action}`, [
      {
        method: "POST",
        url: (f) => `/api/admin/users/${f.victim.id}/${action}`,
        pathId: { build: (id) => `/api/admin/users/${id}/${action}` },
      },
    ]),
  ),
  adminRoute("/api/admin/users/[id]/role", [
    {
      method: "POST",
      url: (f) => `/api/admin/users/${f.victim.id}/role`,
      pathId: { build: (id) => `/api/admin/users/${id}/role` },
      body: {
        sample: () => ({ role: "user" }),
        fields: { role: { kind: "enum", values: ADMIN_ROLES, required: true } },
        maxBytes: ADMIN_SMALL_BODY_MAX_BYTES,
      },
    },
  ]),
  adminRoute("/api/admin/moderation", [
    {
      method: "GET",
      url: () => "/api/admin/moderation",
      query: { ...listQuery, state: { kind: "enum", values: ADMIN_MODERATION_FILTERS } },
    },
  ]),
  adminRoute("/api/admin/moderation/[file]", [
    {
      method: "POST",
      url: (f) => `/api/admin/moderation/${f.mediaFile}`,
      pathId: { build: (id) => `/api/admin/moderation/${id}` },
      body: {
        sample: () => ({ decision: "approve" }),
        fields: { decision: { kind: "enum", values: MODERATION_DECISIONS, required: true } },
        maxBytes: ADMIN_SMALL_BODY_MAX_BYTES,
      },
      ownerStatus: 409,
    },
  ]),
  adminRoute("/api/admin/moderation/[file]/original", [
    {
      method: "GET",
      url: (f) => `/api/admin/moderation/${f.mediaFile}/original`,
      pathId: { build: (id) => `/api/admin/moderation/${id}/original` },
    },
  ]),
];

/** The generator's side of the console, and the screening the web app's moderation task asks for. */
const generatorAdminRoutes: RouteEntry[] = [
  {
    service: "generator",
    methods: ["GET"],
    path: "/api/admin/summary",
    auth: "service",
    probes: [{ method: "GET", url: () => "/api/admin/summary" }],
  },
  {
    service: "generator",
    methods: ["GET"],
    path: "/api/admin/jobs/:id",
    auth: "service",
    probes: [
      {
        method: "GET",
        url: (f) => `/api/admin/jobs/${f.imageJob}`,
        pathId: { build: (id) => `/api/admin/jobs/${id}` },
      },
    ],
  },
  {
    service: "generator",
    methods: ["GET"],
    path: "/api/admin/deliveries",
    auth: "service",
    probes: [
      {
        method: "GET",
        url: () => "/api/admin/deliveries",
        query: { ...listQuery, problem: { kind: "enum", values: ADMIN_DELIVERY_FILTERS } },
      },
    ],
  },
  {
    service: "generator",
    methods: ["POST"],
    path: "/api/admin/jobs/:id/redeliver",
    auth: "service",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/admin/jobs/${f.imageJob}/redeliver`,
        pathId: { build: (id) => `/api/admin/jobs/${id}/redeliver` },
      },
    ],
  },
  {
    service: "generator",
    methods: ["POST"],
    path: "/api/jobs/:id/screen",
    auth: "service",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/jobs/${f.imageJob}/screen`,
        pathId: { build: (id) => `/api/jobs/${id}/screen` },
      },
    ],
  },
];

export const ROUTES: RouteEntry[] = [
  ...libraryRoutes,
  ...jobRoutes(
    "images",
    (f) => f.imageJob,
    (f) => f.spareImageJobs,
  ),
  ...jobRoutes(
    "videos",
    (f) => f.videoJob,
    (f) => f.spareVideoJobs,
  ),
  {
    service: "web",
    methods: ["GET"],
    path: "/api/events",
    auth: "user",
    probes: [{ method: "GET", url: () => "/api/events", stream: true }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/providers",
    auth: "user",
    probes: [{ method: "GET", url: () => "/api/providers" }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/models",
    auth: "user",
    probes: [{ method: "GET", url: () => "/api/models" }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/notifications",
    auth: "user",
    probes: [{ method: "GET", url: () => "/api/notifications" }],
  },
  {
    service: "web",
    methods: ["POST"],
    path: "/api/notifications/[id]/read",
    auth: "user",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/notifications/${f.notification}/read`,
        pathId: { build: (id) => `/api/notifications/${id}/read` },
      },
    ],
  },
  {
    service: "web",
    methods: ["POST"],
    path: "/api/notifications/read-all",
    auth: "user",
    probes: [{ method: "POST", url: () => "/api/notifications/read-all" }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/media/[...key]",
    auth: "user",
    probes: [{ method: "GET", url: (f) => `/api/media/${f.mediaKey}`, pathId: { build: (id) => `/api/media/${id}` } }],
  },
  {
    service: "web",
    methods: ["POST"],
    path: "/api/admin/webhooks/[delivery]/redeliver",
    auth: "admin",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/admin/webhooks/${f.delivery}/redeliver`,
        pathId: { build: (id) => `/api/admin/webhooks/${id}/redeliver` },
      },
    ],
  },
  ...adminRoutes,
  ...(["image", "video"] as const).map(
    (kind): RouteEntry => ({
      service: "web",
      methods: ["POST"],
      path: `/api/webhooks/${kind}-completion`,
      auth: "webhook",
      probes: [
        {
          method: "POST",
          url: () => `/api/webhooks/${kind}-completion`,
          body: {
            sample: (f) => ({
              job_id: kind === "image" ? f.imageJob : f.videoJob,
              status: "generating",
              progress: 50,
            }),
            fields: webhookFields,
            maxBytes: WEBHOOK_BODY_MAX_BYTES,
            checksContentType: false,
            strict: false,
          },
        },
      ],
    }),
  ),
  ...(["web", "generator"] as const).map(
    (service): RouteEntry => ({
      service,
      methods: ["GET"],
      path: "/metrics",
      auth: "metrics",
      probes: [{ method: "GET", url: () => "/metrics" }],
    }),
  ),
  {
    service: "web",
    methods: ["GET"],
    path: "/api/health",
    auth: "public",
    probes: [{ method: "GET", url: () => "/api/health" }],
  },
  {
    service: "web",
    methods: ["GET"],
    path: "/api/health/live",
    auth: "public",
    probes: [{ method: "GET", url: () => "/api/health/live" }],
  },
  {
    service: "web",
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    path: "/api/[...path]",
    auth: "public",
    probes: [{ method: "GET", url: () => "/api/no-such-endpoint", ownerStatus: 404 }],
  },
  {
    service: "web",
    methods: ["GET", "POST"],
    path: "/api/auth/[...all]",
    auth: "better-auth",
    probes: [
      {
        method: "POST",
        url: () => "/api/auth/sign-up/email",
        body: {
          sample: () => ({ name: "New Person", email: "new-person@example.test", password: "correct horse battery" }),
          fields: {
            name: { kind: "text", max: USER_NAME_MAX_LENGTH, required: true },
            email: { kind: "string", max: 254, required: true },
            password: { kind: "string", max: 128, required: true },
          },
          maxBytes: AUTH_BODY_MAX_BYTES,
          strict: false,
          acceptsForm: true,
        },
      },
      {
        method: "POST",
        url: () => "/api/auth/sign-in/email",
        body: {
          sample: (f) => ({ email: f.owner.email, password: "correct horse battery" }),
          fields: {
            email: { kind: "string", max: 254, required: true },
            password: { kind: "string", max: 128, required: true },
          },
          maxBytes: AUTH_BODY_MAX_BYTES,
          strict: false,
          acceptsForm: true,
        },
      },
      { method: "GET", url: () => "/api/auth/get-session" },
    ],
  },
  // The generator: every /api route needs the service key.
  ...(["images", "videos"] as const).map(
    (plural): RouteEntry => ({
      service: "generator",
      methods: ["POST"],
      path: `/api/${plural}/generate`,
      auth: "service",
      probes: [
        {
          method: "POST",
          url: () => `/api/${plural}/generate`,
          body:
            plural === "images"
              ? {
                  sample: (f) => ({ ...imageSample, user_id: f.owner.id }),
                  fields: { ...imageFields, ...generatorOwner },
                  maxBytes: SUBMIT_BODY_MAX_BYTES,
                }
              : {
                  sample: (f) => ({ ...videoSample, user_id: f.owner.id }),
                  fields: {
                    ...videoFields,
                    ...generatorOwner,
                    // The web app's way to pass an input image: the key it stored it under.
                    input_image_key: { kind: "string", max: INPUT_IMAGE_KEY_MAX_LENGTH },
                  },
                  maxBytes: VIDEO_SUBMIT_BODY_MAX_BYTES,
                },
          ownerStatus: 202,
        },
      ],
    }),
  ),
  {
    service: "generator",
    methods: ["GET"],
    path: "/api/models",
    auth: "service",
    probes: [{ method: "GET", url: () => "/api/models" }],
  },
  {
    service: "generator",
    methods: ["GET"],
    path: "/api/jobs/:id",
    auth: "service",
    probes: [{ method: "GET", url: (f) => `/api/jobs/${f.imageJob}`, pathId: { build: (id) => `/api/jobs/${id}` } }],
  },
  {
    service: "generator",
    methods: ["POST"],
    path: "/api/jobs/:id/cancel",
    auth: "service",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/jobs/${f.imageJob}/cancel`,
        pathId: { build: (id) => `/api/jobs/${id}/cancel` },
      },
    ],
  },
  {
    service: "generator",
    methods: ["POST"],
    path: "/api/webhooks/:id/redeliver",
    auth: "service",
    probes: [
      {
        method: "POST",
        url: (f) => `/api/webhooks/${f.delivery}/redeliver`,
        pathId: { build: (id) => `/api/webhooks/${id}/redeliver` },
      },
    ],
  },
  ...generatorAdminRoutes,
  {
    service: "generator",
    methods: ["GET"],
    path: "/health",
    auth: "public",
    probes: [{ method: "GET", url: () => "/health" }],
  },
];
