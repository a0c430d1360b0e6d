// POST /api/images/generate – submit an image job (202 with its job_id)
import { submitRoute } from "@/server/jobs/routes";

export const POST = submitRoute("image");
