// POST /api/videos/generate – submit a video job (202 with its job_id)
import { submitRoute } from "@/server/jobs/routes";

export const POST = submitRoute("video");
