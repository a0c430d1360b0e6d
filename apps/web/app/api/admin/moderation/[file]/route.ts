// POST /api/admin/moderation/{file} – approve or remove a held file, recorded (admins only)
import { ADMIN_SMALL_BODY_MAX_BYTES, adminDecisionRequestSchema } from "@sorami/contracts";
import { decideAsAdmin } from "@/server/admin/moderation";
import { fileIdParam } from "@/server/admin/params";
import { db, storage } from "@/server/db";
import { json, parseWith, readJson, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ file: string }>(
  async ({ req, user, params }) => {
    const id = fileIdParam(params.file);
    const { decision } = parseWith(adminDecisionRequestSchema, await readJson(req, ADMIN_SMALL_BODY_MAX_BYTES));
    return json(await decideAsAdmin(db(), storage(), user, id, decision));
  },
  { maxBodyBytes: ADMIN_SMALL_BODY_MAX_BYTES },
);
