// GET /api/s/{token}/files/{file}?variant=file|thumbnail|poster&download=1 – a file behind a share link, through its token
import { sharedFileQuerySchema } from "@sorami/contracts";
import { db } from "@/server/db";
import { parseWith, withErrors } from "@/server/http/handler";
import { serveSharedFile } from "@/server/library/shared";

export const GET = withErrors<{ token: string; file: string }>(async ({ req, params }) => {
  const query = parseWith(sharedFileQuerySchema, Object.fromEntries(new URL(req.url).searchParams));
  return serveSharedFile(db(), params.token, params.file, query, req.headers.get("range"));
});
