// POST /api/webhooks/video-completion – signed status events from the generator (document 002)
import { withErrors } from "@/server/http/handler";
import { receiveWebhook } from "@/server/webhooks/receive";

export const POST = withErrors(({ req }) => receiveWebhook(req, "video"));
