// GET /api/videos/user?cursor=&limit= – the user's video jobs, newest first (keyset pages)
import { galleryRoute } from "@/server/jobs/routes";

export const GET = galleryRoute("video");
