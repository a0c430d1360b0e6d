// POST /api/videos/{id}/rerun – submit a new video job with the same parameters (and input image); honours Idempotency-Key
import { rerunRoute } from "@/server/jobs/routes";

export const POST = rerunRoute("video");
