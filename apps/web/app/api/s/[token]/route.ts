// GET /api/s/{token} – what a share link shows (media, prompt, model), to anyone holding it; 404 once revoked or expired
import { db } from "@/server/db";
import { json, withErrors } from "@/server/http/handler";
import { getSharedView } from "@/server/library/shared";

export const GET = withErrors<{ token: string }>(async ({ params }) =>
  json(await getSharedView(db(), params.token), { headers: { "Cache-Control": "no-store" } }),
);
