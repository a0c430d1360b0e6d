import {
  type AdminJob,
  type AdminJobPage,
  type AdminJobStory,
  type AdminJobsQuery,
  type AdminStoryEvent,
  AppError,
  decodeKeysetCursor,
  encodeKeysetCursor,
  fromWireStatus,
  type JobStatus,
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
  retriesOf,
} from "@sorami/db/queries/admin-jobs";
import { filesOf } from "@sorami/db/queries/generations";
import type { GeneratorClient } from "../generator-client";
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
