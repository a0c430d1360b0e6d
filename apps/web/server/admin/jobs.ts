import {
  type AdminJob,
  type AdminJobPage,
  type AdminJobStory,
  type AdminJobsQuery,
  type AdminRetry,
  type AdminStoryEvent,
  AppError,
  decodeKeysetCursor,
  encodeKeysetCursor,
  fromWireStatus,
  type JobStatus,
  type JobStatusResponse,
  WIRE_STATUSES,
  type WireStatus,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import {
  type AdminJobRow,
  actionsOn,
  appliedEventsOf,
  getAdminJob,
  listAdminJobs,
  recordAdminAction,
  retriesOf,
} from "@sorami/db/queries/admin-jobs";
import { getAdminUser } from "@sorami/db/queries/admin-users";
import { filesOf, getGenerationById, lockGeneration } from "@sorami/db/queries/generations";
import type { Storage } from "@sorami/storage";
import type { GeneratorClient } from "../generator-client";
import { cancelLocked } from "../jobs/cancel";
import { deleteJob } from "../jobs/delete";
import { toStatusResponse } from "../jobs/present";
import { rerunGeneration } from "../jobs/rerun";
import type { SessionUser } from "../session";
import { asAppError } from "./generator";

export function adminJobView(g: AdminJobRow): AdminJob {
  return {
    job_id: g.id,
    kind: g.kind,
    status: g.status,
    progress: g.progress,
    prompt: g.prompt,
    model: g.model,
    provider: g.provider,
    user: { id: g.authorId, email: g.userEmail, name: g.userName },
    workspace: g.organizationId && g.workspaceName ? { id: g.organizationId, name: g.workspaceName } : null,
    error: g.error,
    error_kind: g.errorKind,
    created_at: g.createdAt.toISOString(),
    updated_at: g.updatedAt.toISOString(),
    completed_at: g.completedAt?.toISOString() ?? null,
    deleted_at: g.deletedAt?.toISOString() ?? null,
  };
}

export async function listJobsForAdmin(db: Database, query: AdminJobsQuery): Promise<AdminJobPage> {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const { rows, next } = await listAdminJobs(
    db,
    {
      statuses: query.status,
      kind: query.kind,
      model: query.model,
      provider: query.provider,
      user: query.user,
      workspace: query.workspace,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    },
    { limit: query.limit, cursor: cursor ? { createdAt: cursor.at, id: cursor.id } : null },
  );
  return {
    jobs: rows.map(adminJobView),
    next_cursor: next ? encodeKeysetCursor({ at: next.createdAt, id: next.id }) : null,
  };
}

/** The admin row of a job, or a 404. */
export async function adminJobOr404(db: Database, id: string): Promise<AdminJobRow> {
  const job = await getAdminJob(db, id);
  if (!job) {
    throw new AppError("not_found", "Job not found");
  }
  return job;
}

/** A wire status (`generating`) or a job status (`GENERATING`) as the job status it means, when it is one. */
function statusOf(event: string): JobStatus | null {
  const wire = event.toLowerCase();
  return (WIRE_STATUSES as readonly string[]).includes(wire) ? fromWireStatus(wire as WireStatus) : null;
}

/**
 * A job's whole story: the web app's row, files, applied webhook events and
 * admin actions, with the generator's record, provider calls and deliveries
 * (through its client; when it is away the rest is still told, with why).
 */
export async function jobStoryForAdmin(db: Database, generator: GeneratorClient, id: string): Promise<AdminJobStory> {
  const g = await adminJobOr404(db, id);
  const [files, applied, actions, retries, remote] = await Promise.all([
    filesOf(db, [g.id]).then((m) => m.get(g.id) ?? []),
    appliedEventsOf(db, g.id),
    actionsOn(db, "job", g.id),
    retriesOf(db, g.id),
    generator.jobStory(g.id).then(
      (story) => ({ story, error: null }),
      (error: unknown) => ({ story: null, error: asAppError(error).message }),
    ),
  ]);
  const events: AdminStoryEvent[] = [
    { at: g.createdAt.toISOString(), source: "web", what: "submitted", status: "PENDING", detail: null },
    ...applied.map(
      (e): AdminStoryEvent => ({
        at: e.receivedAt.toISOString(),
        source: "web",
        what: "applied",
        status: statusOf(e.status),
        detail: `webhook ${e.id}`,
      }),
    ),
    ...actions.map(
      (a): AdminStoryEvent => ({
        at: a.at.toISOString(),
        source: "web",
        what: a.action,
        status: null,
        detail: a.adminEmail ? `by ${a.adminEmail}` : null,
      }),
    ),
    ...(remote.story?.deliveries ?? []).map(
      (d): AdminStoryEvent => ({
        at: d.created_at,
        source: "generator",
        what: "status",
        status: statusOf(d.event),
        detail: `delivery ${d.delivery_id}: ${d.state}`,
      }),
    ),
  ];
  if (g.deletedAt) {
    events.push({ at: g.deletedAt.toISOString(), source: "web", what: "deleted", status: null, detail: null });
  }
  if (g.completedAt) {
    events.push({ at: g.completedAt.toISOString(), source: "web", what: "ended", status: g.status, detail: g.error });
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  const remoteJob = remote.story?.job;
  return {
    job: {
      ...adminJobView(g),
      params: g.params,
      message: g.message,
      processing_time_ms: g.processingTimeMs,
      started_at: g.startedAt?.toISOString() ?? null,
    },
    events,
    generator: remoteJob
      ? {
          status: remoteJob.status,
          runs: remoteJob.attempts,
          error: remoteJob.error,
          error_kind: remoteJob.error_kind ?? null,
        }
      : null,
    generator_error: remote.error,
    provider_calls: remote.story?.provider_calls ?? [],
    deliveries: remote.story?.deliveries ?? [],
    files: files.map((f) => ({
      file_id: f.id,
      index: f.index,
      storage_key: f.storageKey,
      size_bytes: f.sizeBytes,
      format: f.format,
      moderation_state: f.moderationState,
      nsfw_score: f.nsfwScore,
    })),
    retries: retries.map((r) => ({
      job_id: r.id,
      at: r.createdAt.toISOString(),
      by: actions.find((a) => a.action === "retry" && a.detail?.new_job_id === r.id)?.adminEmail ?? null,
    })),
    retry_of: g.retryOf,
  };
}

/** Cancels anyone's unfinished job, as its owner's cancel does (the generator is told by the queued task). */
export async function cancelAsAdmin(db: Database, admin: SessionUser, id: string): Promise<JobStatusResponse> {
  return db.transaction(async (tx) => {
    const g = await lockGeneration(tx, id);
    if (!g || g.deletedAt) {
      throw new AppError("not_found", "Job not found");
    }
    if (!(await cancelLocked(tx, g))) {
      throw new AppError("conflict", `The job has already ended (${g.status})`);
    }
    await recordAdminAction(tx, { adminId: admin.id, action: "cancel", targetType: "job", targetId: id });
    return toStatusResponse((await getGenerationById(tx, id)) ?? g);
  });
}

/** Deletes anyone's job, as its owner's delete does, recorded as the admin's action. */
export async function deleteAsAdmin(db: Database, storage: Storage, admin: SessionUser, id: string): Promise<void> {
  await deleteJob(db, storage, id, (tx) =>
    recordAdminAction(tx, { adminId: admin.id, action: "delete", targetType: "job", targetId: id }),
  );
}

/**
 * Retries a failed job as a rerun: a new job for the same owner with the
 * same parameters (and a copy of its input image), through the same checks
 * as any submission — the prompt policy, the provider's limits and the
 * owner's quotas — recording the failed job as its origin (`retry_of`). The
 * failed job keeps its story as it was; a job a webhook might still finish
 * is never run twice under one id. A disabled owner's job is not retried.
 */
export async function retryAsAdmin(
  deps: Omit<Parameters<typeof rerunGeneration>[0], "user" | "asRetry">,
  admin: SessionUser,
  id: string,
): Promise<AdminRetry> {
  const g = await adminJobOr404(deps.db, id);
  if (g.deletedAt) {
    throw new AppError("not_found", "Job not found");
  }
  if (g.status !== "FAILED") {
    throw new AppError("conflict", `Only a failed job can be retried; this one is ${g.status}`);
  }
  const owner = await getAdminUser(deps.db, g.authorId);
  if (!owner || owner.disabledAt) {
    throw new AppError("conflict", "The job's owner is disabled; enable them before retrying their jobs");
  }
  const user: SessionUser = { id: owner.id, name: owner.name, email: owner.email, role: owner.role };
  const { body } = await rerunGeneration({ ...deps, user, asRetry: true }, g.kind, g.id, null);
  await recordAdminAction(deps.db, {
    adminId: admin.id,
    action: "retry",
    targetType: "job",
    targetId: id,
    detail: { new_job_id: body.job_id },
  });
  return { job_id: body.job_id, retry_of: id, status: body.status };
}
