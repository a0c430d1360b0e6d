import type { JobKind, JobStatus } from "@sorami/contracts";
import { and, desc, eq, gte, inArray, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../client";
import { adminActions, type Generation, generations, organizations, users, webhookEvents } from "../schema";

/**
 * Everyone's jobs, as the admin console reads them. These are the only
 * reads of `generations` not scoped by owner: they serve `/api/admin/*`
 * alone, behind the admin role. Deleted jobs are included (marked).
 */

/**
 * The provider that served a job. The catalog work gives `generations` a
 * `provider` column; until it lands the provider is what the job's webhook
 * metadata named. One expression, so switching is one line.
 */
export const generationProvider: SQL<string | null> = sql`(${generations.providerMetadata} ->> 'provider')`;

export type AdminJobFilter = {
  statuses?: readonly JobStatus[];
  kind?: JobKind;
  model?: string;
  provider?: string;
  /** A user id, or an email (compared case-insensitively). */
  user?: string;
  /** A workspace (organization) id or slug. */
  workspace?: string;
  from?: Date;
  to?: Date;
};

export type AdminJobRow = Generation & {
  provider: string | null;
  userEmail: string;
  userName: string;
  workspaceName: string | null;
};

function conditions(filter: AdminJobFilter): SQL[] {
  const out: SQL[] = [];
  if (filter.statuses && filter.statuses.length > 0) {
    out.push(inArray(generations.status, [...filter.statuses]));
  }
  if (filter.kind) {
    out.push(eq(generations.kind, filter.kind));
  }
  if (filter.model) {
    out.push(eq(generations.model, filter.model));
  }
  if (filter.provider) {
    out.push(sql`${generationProvider} = ${filter.provider}`);
  }
  if (filter.user) {
    const byUser = or(eq(users.id, filter.user), sql`lower(${users.email}) = lower(${filter.user})`);
    if (byUser) {
      out.push(byUser);
    }
  }
  if (filter.workspace) {
    const byWorkspace = or(eq(organizations.id, filter.workspace), eq(organizations.slug, filter.workspace));
    if (byWorkspace) {
      out.push(byWorkspace);
    }
  }
  if (filter.from) {
    out.push(gte(generations.createdAt, filter.from));
  }
  if (filter.to) {
    out.push(lte(generations.createdAt, filter.to));
  }
  return out;
}

function selectJobs(db: Tx) {
  return db
    .select({
      job: generations,
      provider: generationProvider,
      userEmail: users.email,
      userName: users.name,
      workspaceName: organizations.name,
    })
    .from(generations)
    .innerJoin(users, eq(users.id, generations.authorId))
    .leftJoin(organizations, eq(organizations.id, generations.organizationId));
}

type Selected = {
  job: Generation;
  provider: string | null;
  userEmail: string;
  userName: string;
  workspaceName: string | null;
};
const flatten = (r: Selected): AdminJobRow => ({
  ...r.job,
  provider: r.provider,
  userEmail: r.userEmail,
  userName: r.userName,
  workspaceName: r.workspaceName,
});

/** A keyset page of jobs matching the filter, newest first (generations_created_idx). */
export async function listAdminJobs(
  db: Tx,
  filter: AdminJobFilter,
  page: { limit: number; cursor?: { createdAt: Date; id: string } | null },
): Promise<{ rows: AdminJobRow[]; next: { createdAt: Date; id: string } | null }> {
  const where = conditions(filter);
  if (page.cursor) {
    const after = or(
      lt(generations.createdAt, page.cursor.createdAt),
      and(eq(generations.createdAt, page.cursor.createdAt), lt(generations.id, page.cursor.id)),
    );
    if (after) {
      where.push(after);
    }
  }
  const rows = await selectJobs(db)
    .where(and(...where))
    .orderBy(desc(generations.createdAt), desc(generations.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit).map(flatten);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/** One job, anyone's, deleted or not. */
export async function getAdminJob(db: Tx, id: string): Promise<AdminJobRow | null> {
  const [row] = await selectJobs(db).where(eq(generations.id, id));
  return row ? flatten(row) : null;
}

/** Jobs an admin started as retries of this one, oldest first. */
export async function retriesOf(db: Tx, id: string): Promise<{ id: string; createdAt: Date }[]> {
  return db
    .select({ id: generations.id, createdAt: generations.createdAt })
    .from(generations)
    .where(eq(generations.retryOf, id))
    .orderBy(generations.createdAt);
}

/** What admins did to a target, oldest first, with the admin's email. */
export async function actionsOn(
  db: Tx,
  targetType: string,
  targetId: string,
): Promise<{ action: string; at: Date; adminEmail: string | null; detail: Record<string, unknown> | null }[]> {
  return db
    .select({
      action: adminActions.action,
      at: adminActions.createdAt,
      adminEmail: users.email,
      detail: adminActions.detail,
    })
    .from(adminActions)
    .leftJoin(users, eq(users.id, adminActions.adminId))
    .where(and(eq(adminActions.targetType, targetType), eq(adminActions.targetId, targetId)))
    .orderBy(adminActions.createdAt, adminActions.id);
}

/** Records what an admin did, in the caller's transaction. */
export async function recordAdminAction(
  db: Tx,
  action: { adminId: string; action: string; targetType: string; targetId: string; detail?: Record<string, unknown> },
): Promise<void> {
  await db.insert(adminActions).values({ ...action, detail: action.detail ?? null });
}

/** The webhook events the web app applied to a job (their id, status and when), oldest first. */
export async function appliedEventsOf(
  db: Tx,
  jobId: string,
): Promise<{ id: string; status: string; receivedAt: Date }[]> {
  return db
    .select({ id: webhookEvents.id, status: webhookEvents.status, receivedAt: webhookEvents.receivedAt })
    .from(webhookEvents)
    .where(eq(webhookEvents.jobId, jobId))
    .orderBy(webhookEvents.receivedAt, webhookEvents.id);
}

/** The owner and kind of each of these jobs (deleted ones too), for lists the generator gives by job id. */
export async function ownersOfJobs(
  db: Tx,
  ids: readonly string[],
): Promise<Map<string, { kind: Generation["kind"]; userId: string; email: string; name: string }>> {
  if (ids.length === 0) {
    return new Map();
  }
  const rows = await db
    .select({ id: generations.id, kind: generations.kind, userId: users.id, email: users.email, name: users.name })
    .from(generations)
    .innerJoin(users, eq(users.id, generations.authorId))
    .where(inArray(generations.id, [...ids]));
  return new Map(rows.map((r) => [r.id, { kind: r.kind, userId: r.userId, email: r.email, name: r.name }]));
}
