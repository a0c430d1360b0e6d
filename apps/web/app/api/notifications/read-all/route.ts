// POST /api/notifications/read-all – mark every notification read
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { readAllNotifications } from "@/server/notifications";

export const POST = withUser(async ({ user }) => Response.json(await readAllNotifications(db(), user)));
