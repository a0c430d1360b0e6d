// PUT /api/favorites/generations/{id} – star one of the user's generations; DELETE – unstar it (both idempotent)
import { db } from "@/server/db";
import { json, withUser } from "@/server/http/handler";
import { setGenerationFavorite } from "@/server/library/favorites";

export const PUT = withUser<{ id: string }>(async ({ user, params }) =>
  json(await setGenerationFavorite(db(), user, params.id, true)),
);

export const DELETE = withUser<{ id: string }>(async ({ user, params }) =>
  json(await setGenerationFavorite(db(), user, params.id, false)),
);
