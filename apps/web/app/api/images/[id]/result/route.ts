// GET /api/images/{id}/result – the job with its image files
import { resultRoute } from "@/server/jobs/routes";

export const GET = resultRoute("image");
