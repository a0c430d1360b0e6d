// POST /api/notifications/read-all – mark every notification read
import { markAllNotificationsRead } from "@sorami/db/queries/notifications";
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";

export const POST = withUser(async ({ user }) =>
  Response.json({ success: true, updated: await markAllNotificationsRead(db(), user.id) }),
);
