// GET /api/images/{id}/status – status and progress of one of the user's image jobs
import { statusRoute } from "@/server/jobs/routes";

export const GET = statusRoute("image");
