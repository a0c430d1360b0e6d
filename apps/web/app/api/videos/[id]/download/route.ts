// GET /api/videos/{id}/download – every file of the generation as one ZIP, streamed
import { downloadRoute } from "@/server/jobs/routes";

export const GET = downloadRoute("video");
