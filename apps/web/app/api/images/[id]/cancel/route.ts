// POST /api/images/{id}/cancel – cancel one of the user's image jobs (409 once it has ended)
import { cancelRoute } from "@/server/jobs/routes";

export const POST = cancelRoute("image");
