// GET /api/admin/users?q=&cursor=&limit= – users, newest first, searched by email or name (admins only)
import { adminUsersQuerySchema } from "@sorami/contracts";
import { queryOf } from "@/server/admin/params";
import { listUsersForAdmin } from "@/server/admin/users";
import { db } from "@/server/db";
import { json, parseWith, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin(async ({ req }) =>
  json(await listUsersForAdmin(db(), parseWith(adminUsersQuerySchema, queryOf(req))), {
    headers: { "Cache-Control": "no-store" },
  }),
);
