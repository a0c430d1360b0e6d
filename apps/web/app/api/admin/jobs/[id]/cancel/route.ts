// POST /api/admin/jobs/{id}/cancel – cancel anyone's unfinished job (admins only)
import { cancelAsAdmin } from "@/server/admin/jobs";
import { jobIdParam } from "@/server/admin/params";
import { db } from "@/server/db";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(async ({ user, params }) =>
  json(await cancelAsAdmin(db(), user, jobIdParam(params.id))),
);
