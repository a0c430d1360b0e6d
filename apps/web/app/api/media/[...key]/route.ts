// GET /api/media/{key} – a generated file, to its owner only
import { withUser } from "@/server/http/handler";
import { serveOwnedMedia } from "@/server/media/serve";

export const GET = withUser<{ key: string[] }>(({ user, params }) => serveOwnedMedia(user, params.key));
