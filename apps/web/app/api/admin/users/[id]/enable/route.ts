// POST /api/admin/users/{id}/enable – let a disabled user sign in again (admins only)
import { userIdParam } from "@/server/admin/params";
import { enableUserAsAdmin } from "@/server/admin/users";
import { db } from "@/server/db";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(async ({ user, params }) =>
  json(await enableUserAsAdmin(db(), user, userIdParam(params.id))),
);
