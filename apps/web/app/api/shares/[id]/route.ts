// DELETE /api/shares/{id} – revoke one of the user's share links: its page and files answer 404 from now on
import { db } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { revokeShare } from "@/server/library/shares";

export const DELETE = withUser<{ id: string }>(async ({ user, params }) => {
  await revokeShare(db(), user, params.id);
  return new Response(null, { status: 204 });
});
