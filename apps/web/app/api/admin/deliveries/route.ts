// GET /api/admin/deliveries?problem=failing,dead,disabled&cursor=&limit= – webhook deliveries in trouble, with their attempts (admins only)
import { adminDeliveriesQuerySchema } from "@sorami/contracts";
import { listDeliveriesForAdmin } from "@/server/admin/deliveries";
import { queryOf } from "@/server/admin/params";
import { db } from "@/server/db";
import { generator } from "@/server/generator-client";
import { json, parseWith, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin(async ({ req }) =>
  json(await listDeliveriesForAdmin(db(), generator(), parseWith(adminDeliveriesQuerySchema, queryOf(req))), {
    headers: { "Cache-Control": "no-store" },
  }),
);
