// GET /api/admin/moderation?state=held|pending|decided&cursor=&limit= – the review queue (admins only)
import { adminModerationQuerySchema } from "@sorami/contracts";
import { listModerationForAdmin } from "@/server/admin/moderation";
import { queryOf } from "@/server/admin/params";
import { db } from "@/server/db";
import { json, parseWith, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin(async ({ req }) =>
  json(await listModerationForAdmin(db(), parseWith(adminModerationQuerySchema, queryOf(req))), {
    headers: { "Cache-Control": "no-store" },
  }),
);
