// GET /api/notifications – the user's latest notifications and unread count
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { listUserNotifications } from "@/server/notifications";

export const GET = withUser(async ({ user }) =>
  Response.json(await listUserNotifications(db(), user), { headers: { "Cache-Control": "no-store" } }),
);
