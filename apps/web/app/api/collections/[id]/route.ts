// GET /api/collections/{id} – one collection and its counts; PATCH – rename it; DELETE – delete it (what it held stays)
import { COLLECTION_BODY_MAX_BYTES, renameCollectionSchema } from "@sorami/contracts";
import { db } from "@/server/db";
import { json, parseWith, readJson, withUser } from "@/server/http/handler";
import { deleteUserCollection, getUserCollection, renameUserCollection } from "@/server/library/collections";

export const GET = withUser<{ id: string }>(async ({ user, params }) =>
  json(await getUserCollection(db(), user, params.id), { headers: { "Cache-Control": "no-store" } }),
);

export const PATCH = withUser<{ id: string }>(
  async ({ req, user, params }) => {
    const body = parseWith(renameCollectionSchema, await readJson(req, COLLECTION_BODY_MAX_BYTES));
    return json(await renameUserCollection(db(), user, params.id, body.name));
  },
  { maxBodyBytes: COLLECTION_BODY_MAX_BYTES },
);

export const DELETE = withUser<{ id: string }>(async ({ user, params }) => {
  await deleteUserCollection(db(), user, params.id);
  return new Response(null, { status: 204 });
});
