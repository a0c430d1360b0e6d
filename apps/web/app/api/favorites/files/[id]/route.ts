// PUT /api/favorites/files/{id} – star one file of the user's; DELETE – unstar it (both idempotent)
import { db } from "@/server/db";
import { json, withUser } from "@/server/http/handler";
import { setFileFavorite } from "@/server/library/favorites";

export const PUT = withUser<{ id: string }>(async ({ user, params }) =>
  json(await setFileFavorite(db(), user, params.id, true)),
);

export const DELETE = withUser<{ id: string }>(async ({ user, params }) =>
  json(await setFileFavorite(db(), user, params.id, false)),
);
