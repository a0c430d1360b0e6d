import { z } from "zod";
import { jobIdSchema } from "./ids";
import { jobKindSchema } from "./jobs";
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from "./limits";
import { MODERATION_DECISIONS, moderationStateSchema } from "./moderation";
import { JOB_STATUSES, jobStatusSchema } from "./status";
import { PG_TIMESTAMP_MIN_MS } from "./storable";

/**
 * The admin console's API (`/api/admin/*`, admins only: 403 for other
 * users), requests and answers. The generator's side of it (its queue,
 * deliveries, a job's runs) is in `generator-admin.ts`.
 */

const iso = z.string();
const nullableIso = z.string().nullable();

/** Free text an admin searches with (a user's email or name, a model name): bounded like any input. */
export const ADMIN_SEARCH_MAX_LENGTH = 200;
const searchText = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(ADMIN_SEARCH_MAX_LENGTH, { error: `must be at most ${ADMIN_SEARCH_MAX_LENGTH} characters` });

/** `limit` of every admin list. */
export const adminLimitSchema = z.coerce
  .number({ error: "must be a whole number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be at least 1" })
  .max(PAGE_SIZE_MAX, { error: `must be at most ${PAGE_SIZE_MAX}` })
  .default(PAGE_SIZE_DEFAULT);

/** An opaque keyset cursor, as the previous page gave it. */
export const adminCursorSchema = z.string().min(1).max(512);

/** `a,b,c`, each one of `values`; a problem is reported at the parameter itself (a 400 naming it). */
export function commaListOf<T extends string>(values: readonly T[]) {
  return z.string().transform((raw, ctx) => {
    const items = raw.split(",").map((v) => v.trim());
    if (items.some((v) => !(values as readonly string[]).includes(v))) {
      ctx.addIssue({ code: "custom", message: `must be a comma-separated list of ${values.join(", ")}` });
      return z.NEVER;
    }
    return items as T[];
  });
}

const statusList = commaListOf(JOB_STATUSES);

// An instant the database can hold: year 0000 passes z.iso.datetime and fails PostgreSQL's cast (a 500).
const timestampParam = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time" })
  .refine((s) => Date.parse(s) >= PG_TIMESTAMP_MIN_MS, { error: "must be in the year 0001 or later" });

/** GET /api/admin/jobs query. `user` is a user id or an email; times are ISO 8601 and bound `created_at`. */
export const adminJobsQuerySchema = z
  .object({
    status: statusList.optional(),
    kind: jobKindSchema.optional(),
    model: searchText.optional(),
    provider: searchText.optional(),
    user: searchText.optional(),
    workspace: searchText.optional(),
    from: timestampParam.optional(),
    to: timestampParam.optional(),
    cursor: adminCursorSchema.optional(),
    limit: adminLimitSchema,
  })
  .strict();
export type AdminJobsQuery = z.infer<typeof adminJobsQuerySchema>;

const personSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** One job in the admin's list: anyone's, deleted ones included (marked). */
export const adminJobSchema = z.object({
  job_id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  progress: z.number().int(),
  prompt: z.string(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  user: personSchema,
  workspace: z.object({ id: z.string(), name: z.string() }).nullable(),
  error: z.string().nullable(),
  error_kind: z.string().nullable(),
  created_at: iso,
  updated_at: iso,
  completed_at: nullableIso,
  deleted_at: nullableIso,
});
export type AdminJob = z.infer<typeof adminJobSchema>;

export const adminJobPageSchema = z.object({ jobs: z.array(adminJobSchema), next_cursor: z.string().nullable() });
export type AdminJobPage = z.infer<typeof adminJobPageSchema>;

/** One webhook delivery attempt, as the generator recorded it. */
export const adminDeliveryAttemptSchema = z.object({
  at: iso,
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const DELIVERY_STATES = ["pending", "delivered", "dead", "disabled", "superseded"] as const;

export const adminDeliverySchema = z.object({
  delivery_id: z.string(),
  job_id: z.string(),
  event: z.string(),
  state: z.enum(DELIVERY_STATES),
  /** Still pending after at least one failed attempt: a retry is scheduled. */
  failing: z.boolean(),
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: iso,
  delivered_at: nullableIso,
  attempt_list: z.array(adminDeliveryAttemptSchema),
});
export type AdminDelivery = z.infer<typeof adminDeliverySchema>;

/** One call a run made to its provider. */
export const adminProviderCallSchema = z.object({
  /** The generator's run of the job (1 for the first, 2 for its retry…). */
  attempt: z.number().int(),
  provider: z.string(),
  model: z.string().nullable(),
  /** The provider's own id for the request, where it gives one. */
  request_id: z.string().nullable(),
  started_at: iso,
  duration_ms: z.number().int().nullable(),
  outcome: z.enum(["ok", "error"]),
  error_kind: z.string().nullable(),
  error: z.string().nullable(),
});
export type AdminProviderCall = z.infer<typeof adminProviderCallSchema>;

/** One moment in a job's story. */
export const adminStoryEventSchema = z.object({
  at: iso,
  /** Which side saw it: the web app (submit, applied webhooks, cancel, admin actions) or the generator. */
  source: z.enum(["web", "generator"]),
  /** What happened, in a word: submitted, status, canceled, deleted, retried, admin… */
  what: z.string(),
  status: jobStatusSchema.nullable(),
  detail: z.string().nullable(),
});
export type AdminStoryEvent = z.infer<typeof adminStoryEventSchema>;

export const adminFileSchema = z.object({
  file_id: z.string(),
  index: z.number().int(),
  storage_key: z.string(),
  size_bytes: z.number().int(),
  format: z.string(),
  moderation_state: moderationStateSchema,
  nsfw_score: z.number().nullable(),
});

/** GET /api/admin/jobs/{id}: everything known of one job, from both services. */
export const adminJobStorySchema = z.object({
  job: adminJobSchema.extend({
    params: z.record(z.string(), z.unknown()),
    message: z.string().nullable(),
    processing_time_ms: z.number().nullable(),
    started_at: nullableIso,
  }),
  /** Every status change and action, oldest first. */
  events: z.array(adminStoryEventSchema),
  /** The generator's own record; null when it never got the job or cannot be reached (`generator_error`). */
  generator: z
    .object({
      status: jobStatusSchema,
      runs: z.number().int(),
      error: z.string().nullable(),
      error_kind: z.string().nullable(),
    })
    .nullable(),
  generator_error: z.string().nullable(),
  provider_calls: z.array(adminProviderCallSchema),
  deliveries: z.array(adminDeliverySchema),
  files: z.array(adminFileSchema),
  /** Jobs an admin started as retries of this one. */
  retries: z.array(z.object({ job_id: z.string(), at: iso, by: z.string().nullable() })),
  /** The job this one retries, when it is a retry. */
  retry_of: z.string().nullable(),
});
export type AdminJobStory = z.infer<typeof adminJobStorySchema>;

/** POST /api/admin/jobs/{id}/retry: the new job. */
export const adminRetrySchema = z.object({ job_id: z.string(), retry_of: z.string(), status: jobStatusSchema });
export type AdminRetry = z.infer<typeof adminRetrySchema>;

/** POST /api/admin/jobs/{id}/redeliver: the deliveries queued again (its failing, dead and disabled ones). */
export const adminRedeliverJobSchema = z.object({ job_id: z.string(), delivery_ids: z.array(z.string()) });

export const ADMIN_DELIVERY_FILTERS = ["failing", "dead", "disabled"] as const;
/** GET /api/admin/deliveries query: which problems (default all three). */
export const adminDeliveriesQuerySchema = z
  .object({
    problem: commaListOf(ADMIN_DELIVERY_FILTERS).optional(),
    cursor: adminCursorSchema.optional(),
    limit: adminLimitSchema,
  })
  .strict();
export type AdminDeliveriesQuery = z.infer<typeof adminDeliveriesQuerySchema>;

export const adminDeliveryPageSchema = z.object({
  deliveries: z.array(adminDeliverySchema.extend({ user: personSchema.nullable(), kind: jobKindSchema.nullable() })),
  next_cursor: z.string().nullable(),
});
export type AdminDeliveryPage = z.infer<typeof adminDeliveryPageSchema>;

export const ADMIN_ROLES = ["admin", "user"] as const;

export const adminUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ADMIN_ROLES),
  disabled_at: nullableIso,
  created_at: iso,
  jobs: z.number().int(),
  active_jobs: z.number().int(),
  sessions: z.number().int(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

/** GET /api/admin/users query: `q` searches email and name. */
export const adminUsersQuerySchema = z
  .object({ q: searchText.optional(), cursor: adminCursorSchema.optional(), limit: adminLimitSchema })
  .strict();
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

export const adminUserPageSchema = z.object({ users: z.array(adminUserSchema), next_cursor: z.string().nullable() });

/** POST /api/admin/users/{id}/role */
export const adminRoleRequestSchema = z.object({ role: z.enum(ADMIN_ROLES) }).strict();

/** POST /api/admin/users/{id}/disable: what disabling did besides the flag. */
export const adminDisableSchema = z.object({
  user: adminUserSchema,
  sessions_ended: z.number().int(),
  jobs_canceled: z.number().int(),
});

export const ADMIN_MODERATION_FILTERS = ["held", "pending", "decided"] as const;
/** GET /api/admin/moderation query. */
export const adminModerationQuerySchema = z
  .object({
    state: z.enum(ADMIN_MODERATION_FILTERS).default("held"),
    cursor: adminCursorSchema.optional(),
    limit: adminLimitSchema,
  })
  .strict();
export type AdminModerationQuery = z.infer<typeof adminModerationQuerySchema>;

export const adminDecisionSchema = z.object({
  decision: z.enum(MODERATION_DECISIONS),
  by: personSchema.nullable(),
  at: iso,
  nsfw_score: z.number().nullable(),
});

/** A file in the review queue (or decided). `review_url` serves the original to admins. */
export const adminModerationItemSchema = z.object({
  file_id: z.string(),
  job_id: z.string(),
  kind: jobKindSchema,
  index: z.number().int(),
  owner: personSchema,
  state: moderationStateSchema,
  nsfw_score: z.number().nullable(),
  scores: z.record(z.string(), z.number()).nullable(),
  screened_at: nullableIso,
  created_at: iso,
  review_url: z.string().nullable(),
  decision: adminDecisionSchema.nullable(),
});
export type AdminModerationItem = z.infer<typeof adminModerationItemSchema>;

export const adminModerationPageSchema = z.object({
  files: z.array(adminModerationItemSchema),
  next_cursor: z.string().nullable(),
});

/** POST /api/admin/moderation/{file} */
export const adminDecisionRequestSchema = z.object({ decision: z.enum(MODERATION_DECISIONS) }).strict();

export const adminQueueSchema = z.object({
  service: z.enum(["web", "generator"]),
  /** null when the generator could not be asked. */
  tasks: z
    .array(
      z.object({
        task: z.string(),
        waiting: z.number().int(),
        scheduled: z.number().int(),
        running: z.number().int(),
        failed: z.number().int(),
        oldest_waiting_since: nullableIso,
      }),
    )
    .nullable(),
  processes: z.array(z.object({ pid: z.number().int(), last_seen: iso })).nullable(),
});

const statusCounts = z.record(z.string(), z.number().int());

/** GET /api/admin/overview */
export const adminOverviewSchema = z.object({
  at: iso,
  jobs: z.object({ last_hour: statusCounts, last_day: statusCounts }),
  /** Jobs that ended in the last day, by model: how many ended, how many failed. */
  failures_by_model: z.array(
    z.object({ model: z.string().nullable(), ended: z.number().int(), failed: z.number().int(), rate: z.number() }),
  ),
  /** Jobs that failed in the last day, by what failed them. */
  failures_by_kind: z.array(z.object({ error_kind: z.string().nullable(), failed: z.number().int() })),
  queues: z.array(adminQueueSchema),
  deliveries: z
    .object({
      pending: z.number().int(),
      failing: z.number().int(),
      dead: z.number().int(),
      disabled: z.number().int(),
    })
    .nullable(),
  /** Why the generator's part is missing, when it is. */
  generator_error: z.string().nullable(),
  storage: z.object({ files: z.number().int(), bytes: z.number() }),
  moderation: z.object({ pending: z.number().int(), held: z.number().int(), screening: z.boolean() }),
  users: z.object({ total: z.number().int(), admins: z.number().int(), disabled: z.number().int() }),
});
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

/** Path ids of the admin API. */
export const adminJobIdSchema = jobIdSchema;
