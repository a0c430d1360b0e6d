// GET /api/media/{key}[?download=1] – a generated file, to its owner only (byte ranges; download as an attachment);
// GET /api/media/{key}?expires=&signature= – the same file through a link this server signed, with no credentials
import { withErrors, withUser } from "@/server/http/handler";
import { isSignedMediaRequest } from "@/server/media/links";
import { serveOwnedMedia, serveSignedMedia } from "@/server/media/serve";

type Route = { params: Promise<{ key: string[] }> };

const owned = withUser<{ key: string[] }>(({ req, user, params }) =>
  serveOwnedMedia(user, params.key, req.headers.get("range"), {
    download: new URL(req.url).searchParams.get("download") === "1",
  }),
);

// A signed link is judged by its signature alone, whatever credentials come with it.
const signed = withErrors<{ key: string[] }>(({ req, params }) =>
  serveSignedMedia(params.key, new URL(req.url).searchParams, req.headers.get("range")),
);

export const GET = (req: Request, route: Route): Promise<Response> =>
  isSignedMediaRequest(new URL(req.url).searchParams) ? signed(req, route) : owned(req, route);
