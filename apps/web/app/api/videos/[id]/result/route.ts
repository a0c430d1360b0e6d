// GET /api/videos/{id}/result – the job with its video files
import { resultRoute } from "@/server/jobs/routes";

export const GET = resultRoute("video");
