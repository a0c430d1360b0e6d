// POST /api/admin/webhooks/{delivery}/redeliver – queue a webhook delivery again (admins only)
import { redeliverWebhook } from "@/server/admin/webhooks";
import { withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ delivery: string }>(async ({ params }) =>
  Response.json({ success: true, ...(await redeliverWebhook(params.delivery)) }),
);
