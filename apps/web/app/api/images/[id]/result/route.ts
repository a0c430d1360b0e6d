// GET /api/images/{id}/result – the job with its images
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { getJobResult } from "@/server/jobs/read";

export const GET = withUser<{ id: string }>(async ({ user, params }) =>
  Response.json(await getJobResult(db(), user, "image", params.id), { headers: { "Cache-Control": "no-store" } }),
);
