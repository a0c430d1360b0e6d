import {
  AppError,
  fromWireStatus,
  type JobKind,
  KIND_INFO,
  parseSize,
  type WebhookImage,
  type WebhookPayload,
  type WebhookVideo,
} from "@sorami/contracts";
import type { Database, Tx } from "@sorami/db";
import { insertGeneration } from "@sorami/db/queries/generations";
import { organizationIdOf } from "@sorami/db/queries/organizations";
import { userExists } from "@sorami/db/queries/users";
import { recordEventAndLockGeneration } from "@sorami/db/queries/webhooks";
import { enqueuePurge } from "../jobs/tasks";
import { type JobEvent, transitionGeneration } from "../jobs/transition";

export type ApplyOutcome =
  | { outcome: "applied"; status: string; filesCount: number }
  | { outcome: "duplicate" }
  | { outcome: "ignored"; reason: "terminal" | "backwards" | "deleted" };

/** The sender's time, when it gave a valid one. */
function reportedAt(payload: WebhookPayload): Date | null {
  const at = payload.timestamp ? new Date(payload.timestamp) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/** What the generator says of the model serving the job (any event from the provider call on). */
function servingOf(payload: WebhookPayload): Pick<JobEvent, "model" | "provider" | "providerMetadata"> {
  const s = payload.serving;
  if (!s) {
    return {};
  }
  return {
    model: s.model,
    provider: s.provider,
    providerMetadata: {
      ...(s.request_id ? { request_id: s.request_id } : {}),
      ...(s.fallbacks?.length ? { fallbacks: s.fallbacks } : {}),
    },
  };
}

/** What a webhook says, in the terms of the state machine. Refuses a `completed` with no files. */
export function toJobEvent(kind: JobKind, payload: WebhookPayload): JobEvent {
  const status = fromWireStatus(payload.status);
  if (status !== "COMPLETED") {
    return {
      status,
      progress: payload.progress,
      message: payload.message,
      error: payload.error_message ?? payload.message,
      reportedAt: reportedAt(payload),
      ...servingOf(payload),
    };
  }
  const { filesKey, noun } = KIND_INFO[kind];
  const items: (WebhookImage & Partial<WebhookVideo>)[] = payload.data?.[filesKey] ?? [];
  if (items.length === 0) {
    throw new AppError("invalid_request", `data.${filesKey} is missing or empty`, { field: `data.${filesKey}` });
  }
  const metadata = payload.data?.metadata;
  const serving = servingOf(payload);
  return {
    status,
    progress: 100,
    message: payload.message ?? `${items.length} ${noun}(s) generated`,
    reportedAt: reportedAt(payload),
    model: metadata?.model_name ?? serving.model ?? null,
    provider: typeof metadata?.provider === "string" ? metadata.provider : (serving.provider ?? null),
    processingTimeMs:
      metadata?.generation_time_seconds !== undefined ? Math.round(metadata.generation_time_seconds * 1000) : null,
    providerMetadata: metadata ?? null,
    files: items.map((item) => {
      const { width, height } = parseSize(item.dimensions);
      return {
        storageKey: item.file_path,
        sizeBytes: item.size_bytes,
        format: item.format.toUpperCase(),
        width,
        height,
        description: item.description ?? null,
        durationSeconds: item.duration_seconds ?? null,
        posterKey: item.poster_path ?? null,
        thumbnailKey: item.thumbnail_path ?? null,
      };
    }),
  };
}

/**
 * Applies one verified webhook event exactly once, in one transaction: the
 * event id is recorded and the job row locked in one statement (a duplicate
 * — even ten at once — finds the id and stops), the state machine decides,
 * and files, status and notification are written together.
 *
 * A webhook for a job this app never created is attributed only to the user
 * its `user_id` names, and only if that user exists; otherwise it is refused.
 * A webhook for a job its owner deleted changes nothing.
 */
export async function applyWebhookEvent(
  db: Database,
  kind: JobKind,
  eventId: string,
  payload: WebhookPayload,
): Promise<ApplyOutcome> {
  const event = toJobEvent(kind, payload);
  return db.transaction(async (tx) => {
    const { recorded, generation: locked } = await recordEventAndLockGeneration(tx, {
      id: eventId,
      jobId: payload.job_id,
      status: payload.status,
    });
    if (!recorded) {
      return { outcome: "duplicate" } as const;
    }

    const generation = locked ?? (await createFromWebhook(tx, kind, payload));
    if (generation.kind !== kind) {
      throw new AppError("not_found", `Job ${payload.job_id} is not a ${kind} job`);
    }
    if (payload.user_id && payload.user_id !== generation.authorId) {
      throw new AppError("conflict", "user_id does not match the job's owner", { field: "user_id" });
    }
    if (generation.deletedAt) {
      // The owner deleted it: acknowledged, never resurrected; files it reports are purged again.
      if (event.files?.length) {
        await enqueuePurge(tx, generation.id);
      }
      return { outcome: "ignored", reason: "deleted" } as const;
    }
    const decision = await transitionGeneration(tx, generation, event);
    if (!decision.apply) {
      return { outcome: "ignored", reason: decision.reason } as const;
    }
    return { outcome: "applied", status: decision.status, filesCount: event.files?.length ?? 0 } as const;
  });
}

async function createFromWebhook(tx: Tx, kind: JobKind, payload: WebhookPayload) {
  const userId = payload.user_id;
  if (!userId) {
    console.warn(`[webhook] refused: unknown job ${payload.job_id} and no user_id`);
    throw new AppError("not_found", `Unknown job ${payload.job_id}`, { field: "job_id" });
  }
  if (!(await userExists(tx, userId))) {
    console.warn(`[webhook] refused: unknown job ${payload.job_id} for unknown user ${userId}`);
    throw new AppError("not_found", `Unknown job ${payload.job_id} and unknown user`, { field: "user_id" });
  }
  const firstImage = payload.data?.[KIND_INFO[kind].filesKey]?.[0];
  const prompt = payload.data?.original_prompt ?? firstImage?.description ?? "(prompt not reported by the generator)";
  const row = await insertGeneration(tx, {
    id: payload.job_id,
    kind,
    authorId: userId,
    organizationId: await organizationIdOf(tx, userId),
    prompt,
    params: {
      source: "generator-direct",
      ...(firstImage ? { size: firstImage.dimensions, format: firstImage.format } : {}),
    },
    model: payload.data?.metadata?.model_name ?? payload.serving?.model ?? KIND_INFO[kind].defaultModel,
    provider: payload.serving?.provider ?? null,
    status: "PENDING",
    createdAt: new Date(),
  });
  console.info(`[webhook] created job ${row.id} for user ${userId} from a generator-direct webhook`);
  return row;
}
