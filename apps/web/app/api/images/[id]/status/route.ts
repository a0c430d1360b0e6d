// GET /api/images/{id}/status – status and progress of one of the user's image jobs
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { getJobStatus } from "@/server/jobs/read";

export const GET = withUser<{ id: string }>(async ({ user, params }) =>
  Response.json(await getJobStatus(db(), user, "image", params.id), { headers: { "Cache-Control": "no-store" } }),
);
