// POST /api/admin/webhooks/{delivery}/redeliver – queue a webhook delivery again (admins only)
import { redeliverWebhook } from "@/server/admin/webhooks";
import { db } from "@/server/db";
import { generator } from "@/server/generator-client";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ delivery: string }>(async ({ user, params }) =>
  json(await redeliverWebhook(db(), generator(), user, params.delivery)),
);
