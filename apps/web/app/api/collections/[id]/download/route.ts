// GET /api/collections/{id}/download – every file the collection holds as one ZIP, streamed
import { db, storage } from "@/server/db";
import { withUser } from "@/server/http/handler";
import { downloadCollection } from "@/server/library/downloads";

export const GET = withUser<{ id: string }>(async ({ user, params }) =>
  downloadCollection(db(), storage(), user, params.id),
);
