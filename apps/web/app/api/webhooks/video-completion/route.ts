// POST /api/webhooks/video-completion – signed status events from the generator (document 002)
import { WEBHOOK_BODY_MAX_BYTES } from "@sorami/contracts";
import { withErrors } from "@/server/http/handler";
import { receiveWebhook } from "@/server/webhooks/receive";

export const POST = withErrors(({ req }) => receiveWebhook(req, "video"), { maxBodyBytes: WEBHOOK_BODY_MAX_BYTES });
