import {
  type AdminDelivery,
  type AdminProviderCall,
  decodeKeysetCursor,
  encodeKeysetCursor,
  type GeneratorAdminSummary,
  type GeneratorDeliveryPage,
  type GeneratorJobStory,
} from "@sorami/contracts";
import { type Database, QUEUE_SCHEMAS } from "@sorami/db";
import {
  DELIVERY_PROBLEMS,
  type DeliveryProblem,
  type DeliveryWithAttempts,
  deliveriesOfJob,
  deliveryCounts,
  listProblemDeliveries,
  redeliverableOfJob,
} from "@sorami/db/queries/delivery-admin";
import { getGeneratorJob } from "@sorami/db/queries/generator-jobs";
import { providerCallsOf } from "@sorami/db/queries/provider-calls";
import { queueView } from "@sorami/db/queries/queue-stats";
import type { ProviderCallRow } from "@sorami/db/schema";
import { redeliver } from "../webhooks/deliver";
import { jobView } from "./jobs";

/**
 * What the admin console reads of the generator: its queue and processes,
 * its webhook deliveries, one job's runs. Answers are the contracts in
 * `generator-admin.ts`.
 */

export async function adminSummary(db: Database, staleAfterMs: number): Promise<GeneratorAdminSummary> {
  const [queue, deliveries] = await Promise.all([
    queueView(db, QUEUE_SCHEMAS.generator, staleAfterMs),
    deliveryCounts(db),
  ]);
  return { queue: queue.tasks, processes: queue.processes, deliveries };
}

export function deliveryView(d: DeliveryWithAttempts): AdminDelivery {
  return {
    delivery_id: d.id,
    job_id: d.jobId,
    event: d.event,
    state: d.state,
    failing: d.state === "pending" && d.attempts > 0,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    created_at: d.createdAt.toISOString(),
    delivered_at: d.deliveredAt?.toISOString() ?? null,
    attempt_list: d.attemptList.map((a) => ({
      at: a.attemptedAt.toISOString(),
      status_code: a.statusCode,
      error: a.error,
      duration_ms: a.durationMs,
    })),
  };
}

function callView(c: ProviderCallRow): AdminProviderCall {
  return {
    attempt: c.attempt,
    provider: c.provider,
    model: c.model,
    request_id: c.requestId,
    started_at: c.startedAt.toISOString(),
    duration_ms: c.durationMs,
    outcome: c.outcome,
    error_kind: c.errorKind,
    error: c.error,
  };
}

/** A job's record here, its provider calls and deliveries; null when this generator never got it. */
export async function jobStory(db: Database, jobId: string): Promise<GeneratorJobStory | null> {
  const job = await getGeneratorJob(db, jobId);
  if (!job) {
    return null;
  }
  const [calls, deliveries] = await Promise.all([providerCallsOf(db, jobId), deliveriesOfJob(db, jobId)]);
  return {
    job: { ...jobView(job), error_kind: job.errorKind },
    provider_calls: calls.map(callView),
    deliveries: deliveries.map(deliveryView),
  };
}

export async function problemDeliveries(
  db: Database,
  query: { problem?: DeliveryProblem[]; cursor?: string; limit: number },
): Promise<GeneratorDeliveryPage> {
  const cursor = query.cursor ? decodeKeysetCursor(query.cursor) : null;
  const { rows, next } = await listProblemDeliveries(db, {
    problems: query.problem ?? DELIVERY_PROBLEMS,
    limit: query.limit,
    cursor: cursor ? { createdAt: cursor.at, id: cursor.id } : null,
  });
  return {
    deliveries: rows.map(deliveryView),
    next_cursor: next ? encodeKeysetCursor({ at: next.createdAt, id: next.id }) : null,
  };
}

/** Queues every failing, dead or disabled delivery of a job again; null when the job is unknown here. */
export async function redeliverJob(db: Database, jobId: string): Promise<string[] | null> {
  if (!(await getGeneratorJob(db, jobId))) {
    return null;
  }
  const ids = await redeliverableOfJob(db, jobId);
  for (const id of ids) {
    await redeliver(db, id);
  }
  return ids;
}
