// GET /api/admin/jobs/{id} – a job's whole story; DELETE – delete anyone's job (admins only)
import { deleteAsAdmin, jobStoryForAdmin } from "@/server/admin/jobs";
import { jobIdParam } from "@/server/admin/params";
import { db, storage } from "@/server/db";
import { generator } from "@/server/generator-client";
import { json, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin<{ id: string }>(async ({ params }) =>
  json(await jobStoryForAdmin(db(), generator(), jobIdParam(params.id)), { headers: { "Cache-Control": "no-store" } }),
);

export const DELETE = withAdmin<{ id: string }>(async ({ user, params }) => {
  await deleteAsAdmin(db(), storage(), user, jobIdParam(params.id));
  return new Response(null, { status: 204 });
});
