// GET /api/shares?generation=|collection= – the user's live share links; POST – make one (the link is shown once)
import { createShareSchema, SHARE_BODY_MAX_BYTES, shareListQuerySchema } from "@sorami/contracts";
import { db } from "@/server/db";
import { json, parseWith, readJson, withUser } from "@/server/http/handler";
import { createShare, listShares } from "@/server/library/shares";

export const GET = withUser(async ({ req, user }) => {
  const query = parseWith(shareListQuerySchema, Object.fromEntries(new URL(req.url).searchParams));
  return json(await listShares(db(), user, query), { headers: { "Cache-Control": "no-store" } });
});

export const POST = withUser(
  async ({ req, user }) => {
    const body = parseWith(createShareSchema, await readJson(req, SHARE_BODY_MAX_BYTES));
    return json(await createShare(db(), user, body), { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { maxBodyBytes: SHARE_BODY_MAX_BYTES },
);
