// GET /api/videos/{id}/status – status and progress of one of the user's video jobs
import { statusRoute } from "@/server/jobs/routes";

export const GET = statusRoute("video");
