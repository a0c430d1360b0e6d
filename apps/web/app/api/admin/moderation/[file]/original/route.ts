// GET /api/admin/moderation/{file}/original – a file's original bytes (a video's poster) for review, whatever its state (admins only)
import { reviewFileKey } from "@/server/admin/moderation";
import { fileIdParam } from "@/server/admin/params";
import { db } from "@/server/db";
import { withAdmin } from "@/server/http/handler";
import { serveStoredFile } from "@/server/media/serve";

export const GET = withAdmin<{ file: string }>(async ({ req, params }) => {
  const { key, jobId } = await reviewFileKey(db(), fileIdParam(params.file));
  return serveStoredFile(key, jobId, req.headers.get("range"), {});
});
