// GET /api/events – the signed-in user's live stream (Server-Sent Events)
import { lastEventIdSchema } from "@sorami/contracts";
import { z } from "zod";
import { db } from "@/server/db";
import { eventHub } from "@/server/events/hub";
import { openEventStream } from "@/server/events/stream";
import { parseWith, withUser } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** EventSource resends the last id it saw as a header; a client that had to start over passes it in the query. */
const resumeSchema = z.object({ last_event_id: lastEventIdSchema.optional() });

export const GET = withUser(async ({ req, user, session }) => {
  const raw = req.headers.get("last-event-id") || new URL(req.url).searchParams.get("last_event_id") || undefined;
  const { last_event_id } = parseWith(resumeSchema, { last_event_id: raw });
  return openEventStream(db(), eventHub(), user, session, last_event_id ?? null, req.signal);
});
