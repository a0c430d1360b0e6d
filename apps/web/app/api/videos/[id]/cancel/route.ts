// POST /api/videos/{id}/cancel – cancel one of the user's video jobs (409 once it has ended)
import { cancelRoute } from "@/server/jobs/routes";

export const POST = cancelRoute("video");
