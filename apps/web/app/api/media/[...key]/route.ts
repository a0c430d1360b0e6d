// GET /api/media/{key} – a generated file, to its owner only (byte ranges supported)
import { withUser } from "@/server/http/handler";
import { serveOwnedMedia } from "@/server/media/serve";

export const GET = withUser<{ key: string[] }>(({ req, user, params }) =>
  serveOwnedMedia(user, params.key, req.headers.get("range")),
);
