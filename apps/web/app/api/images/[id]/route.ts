// GET /api/images/{id} – one of the user's image jobs with its files and timings; DELETE – delete it and its files (204)
import { deleteRoute, detailRoute } from "@/server/jobs/routes";

export const GET = detailRoute("image");
export const DELETE = deleteRoute("image");
