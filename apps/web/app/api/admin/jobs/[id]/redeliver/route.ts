// POST /api/admin/jobs/{id}/redeliver – queue a job's failing, dead and disabled webhook deliveries again (admins only)
import { redeliverJobAsAdmin } from "@/server/admin/deliveries";
import { jobIdParam } from "@/server/admin/params";
import { db } from "@/server/db";
import { generator } from "@/server/generator-client";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(async ({ user, params }) =>
  json(await redeliverJobAsAdmin(db(), generator(), user, jobIdParam(params.id))),
);
