// GET /api/admin/jobs?status=&kind=&model=&provider=&user=&workspace=&from=&to=&cursor=&limit= – everyone's jobs (admins only)
import { adminJobsQuerySchema } from "@sorami/contracts";
import { listJobsForAdmin } from "@/server/admin/jobs";
import { queryOf } from "@/server/admin/params";
import { db } from "@/server/db";
import { json, parseWith, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin(async ({ req }) =>
  json(await listJobsForAdmin(db(), parseWith(adminJobsQuerySchema, queryOf(req))), {
    headers: { "Cache-Control": "no-store" },
  }),
);
