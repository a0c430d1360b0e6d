// POST /api/admin/users/{id}/role – make a user an admin or take the role away (admins only)
import { ADMIN_SMALL_BODY_MAX_BYTES, adminRoleRequestSchema } from "@sorami/contracts";
import { userIdParam } from "@/server/admin/params";
import { setRoleAsAdmin } from "@/server/admin/users";
import { db } from "@/server/db";
import { json, parseWith, readJson, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(
  async ({ req, user, params }) => {
    const id = userIdParam(params.id);
    const { role } = parseWith(adminRoleRequestSchema, await readJson(req, ADMIN_SMALL_BODY_MAX_BYTES));
    return json(await setRoleAsAdmin(db(), user, id, role));
  },
  { maxBodyBytes: ADMIN_SMALL_BODY_MAX_BYTES },
);
