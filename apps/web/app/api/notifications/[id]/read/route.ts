// POST /api/notifications/{id}/read – mark one notification read
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { readNotification } from "@/server/notifications";

export const POST = withUser<{ id: string }>(async ({ user, params }) =>
  Response.json(await readNotification(db(), user, params.id)),
);
