import type { AdminOverview } from "@sorami/contracts";
import { type Database, QUEUE_SCHEMAS } from "@sorami/db";
import {
  failuresByKind,
  failuresByModel,
  jobsByStatusSince,
  moderationCounts,
  storageUsed,
  userCounts,
} from "@sorami/db/queries/admin-overview";
import { queueView } from "@sorami/db/queries/queue-stats";
import type { GeneratorClient } from "../generator-client";
import { asAppError } from "./generator";

const HOUR_SECONDS = 3600;
const DAY_SECONDS = 24 * HOUR_SECONDS;

/**
 * The overview: the web app's figures from its own tables, the generator's
 * (its queue, processes and deliveries) through its client. The generator
 * being away leaves its part empty with the reason, never the whole page.
 */
export async function adminOverview(
  db: Database,
  generator: GeneratorClient,
  options: { staleAfterMs: number; screening: boolean },
): Promise<AdminOverview> {
  const [lastHour, lastDay, byModel, byKind, storage, moderation, users, webQueue, remote] = await Promise.all([
    jobsByStatusSince(db, HOUR_SECONDS),
    jobsByStatusSince(db, DAY_SECONDS),
    failuresByModel(db, DAY_SECONDS),
    failuresByKind(db, DAY_SECONDS),
    storageUsed(db),
    moderationCounts(db),
    userCounts(db),
    queueView(db, QUEUE_SCHEMAS.web, options.staleAfterMs),
    generator.adminSummary().then(
      (summary) => ({ summary, error: null }),
      (error: unknown) => ({ summary: null, error: asAppError(error).message }),
    ),
  ]);
  return {
    at: new Date().toISOString(),
    jobs: { last_hour: lastHour, last_day: lastDay },
    failures_by_model: byModel.map((m) => ({ ...m, rate: m.ended > 0 ? m.failed / m.ended : 0 })),
    failures_by_kind: byKind.map((k) => ({ error_kind: k.errorKind, failed: k.failed })),
    queues: [
      { service: "web", ...webQueue },
      {
        service: "generator",
        tasks: remote.summary?.queue ?? null,
        processes: remote.summary?.processes ?? null,
      },
    ],
    deliveries: remote.summary?.deliveries ?? null,
    generator_error: remote.error,
    storage,
    moderation: { ...moderation, screening: options.screening },
    users,
  };
}
