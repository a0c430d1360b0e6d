// GET /api/videos/{id} – one of the user's video jobs with its files and timings; DELETE – delete it and its files (204)
import { deleteRoute, detailRoute } from "@/server/jobs/routes";

export const GET = detailRoute("video");
export const DELETE = deleteRoute("video");
