// POST /api/images/{id}/rerun – submit a new image job with the same parameters (and input image); honours Idempotency-Key
import { rerunRoute } from "@/server/jobs/routes";

export const POST = rerunRoute("image");
