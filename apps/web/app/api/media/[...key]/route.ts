// GET /api/media/{key}[?download=1] – a generated file, to its owner only (byte ranges; download as an attachment)
import { withUser } from "@/server/http/handler";
import { serveOwnedMedia } from "@/server/media/serve";

export const GET = withUser<{ key: string[] }>(({ req, user, params }) =>
  serveOwnedMedia(user, params.key, req.headers.get("range"), {
    download: new URL(req.url).searchParams.get("download") === "1",
  }),
);
