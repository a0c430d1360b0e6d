// GET /api/images/user?cursor=&limit= – the user's image jobs, newest first (keyset pages)
import { galleryRoute } from "@/server/jobs/routes";

export const GET = galleryRoute("image");
