// POST /api/admin/users/{id}/disable – disable a user: sessions end, running jobs are canceled, sign-in refused (admins only)
import { userIdParam } from "@/server/admin/params";
import { disableUserAsAdmin } from "@/server/admin/users";
import { db } from "@/server/db";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(async ({ user, params }) =>
  json(await disableUserAsAdmin(db(), user, userIdParam(params.id))),
);
