import { type AdminDeliveriesQuery, type AdminDeliveryPage, decodeKeysetCursor } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { ownersOfJobs, recordAdminAction } from "@sorami/db/queries/admin-jobs";
import type { GeneratorClient } from "../generator-client";
import type { SessionUser } from "../session";
import { askGenerator } from "./generator";
import { adminJobOr404 } from "./jobs";

/** Failing, dead and disabled deliveries (the generator's), each with the job's owner and kind from here. */
export async function listDeliveriesForAdmin(
  db: Database,
  generator: GeneratorClient,
  query: AdminDeliveriesQuery,
): Promise<AdminDeliveryPage> {
  if (query.cursor) {
    // The cursor is the generator's, in the one keyset codec: checked here too, so a bad one is the
    // admin's 400 naming it, not the generator's refusal relayed as a 503.
    decodeKeysetCursor(query.cursor);
  }
  const page = await askGenerator(() =>
    generator.problemDeliveries({ problem: query.problem?.join(","), cursor: query.cursor, limit: query.limit }),
  );
  const owners = await ownersOfJobs(db, [...new Set(page.deliveries.map((d) => d.job_id))]);
  return {
    deliveries: page.deliveries.map((d) => {
      const owner = owners.get(d.job_id);
      return {
        ...d,
        user: owner ? { id: owner.userId, email: owner.email, name: owner.name } : null,
        kind: owner?.kind ?? null,
      };
    }),
    next_cursor: page.next_cursor,
  };
}

/** Queues every failing, dead or disabled delivery of a job again, recorded as the admin's action. */
export async function redeliverJobAsAdmin(
  db: Database,
  generator: GeneratorClient,
  admin: SessionUser,
  jobId: string,
): Promise<{ job_id: string; delivery_ids: string[] }> {
  await adminJobOr404(db, jobId);
  const result = await askGenerator(() => generator.redeliverJob(jobId));
  const ids = result?.delivery_ids ?? [];
  await recordAdminAction(db, {
    adminId: admin.id,
    action: "redeliver",
    targetType: "job",
    targetId: jobId,
    detail: { delivery_ids: ids },
  });
  return { job_id: jobId, delivery_ids: ids };
}
