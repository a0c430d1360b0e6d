// GET /api/images/user?cursor=&limit= – the user's image jobs, newest first (keyset pages)
import { db } from "@/server/db";
import { parseWith, withUser } from "@/server/http/handler";
import { galleryQuerySchema, listGallery } from "@/server/jobs/read";

export const GET = withUser(async ({ req, user }) => {
  const url = new URL(req.url);
  const query = parseWith(galleryQuerySchema, Object.fromEntries(url.searchParams));
  return Response.json(await listGallery(db(), user, "image", query), { headers: { "Cache-Control": "no-store" } });
});
