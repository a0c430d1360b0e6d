// GET /api/events – the signed-in user's live stream (Server-Sent Events)
import { AppError, lastEventIdSchema } from "@sorami/contracts";
import { db } from "@/server/db";
import { eventHub } from "@/server/events/hub";
import { openEventStream } from "@/server/events/stream";
import { withUser } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withUser(async ({ req, user, session }) => {
  // EventSource resends the last id it saw as a header; a client that had to start over passes it in the query.
  const raw = req.headers.get("last-event-id") || new URL(req.url).searchParams.get("last_event_id");
  let lastEventId: number | null = null;
  if (raw) {
    const parsed = lastEventIdSchema.safeParse(raw);
    if (!parsed.success) {
      throw new AppError("invalid_request", "last_event_id must be a positive integer", {
        field: "last_event_id",
      });
    }
    lastEventId = parsed.data;
  }
  return openEventStream(db(), eventHub(), user, session, lastEventId, req.signal);
});
