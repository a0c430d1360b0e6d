// POST /api/admin/webhooks/{delivery}/redeliver – queue a webhook delivery again (admins only)
import { redeliverWebhook } from "@/server/admin/webhooks";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ delivery: string }>(async ({ params }) =>
  json(await redeliverWebhook(params.delivery)),
);
