// GET /api/videos/user?cursor=&limit=&status=&q=&model=&favorite=&collection=&from=&to= – the user's video jobs, newest first, searched and filtered (keyset pages)
import { galleryRoute } from "@/server/jobs/routes";

export const GET = galleryRoute("video");
