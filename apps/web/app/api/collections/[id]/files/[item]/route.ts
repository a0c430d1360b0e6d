// PUT /api/collections/{id}/files/{item} – add the user's file to the collection; DELETE – remove it (both idempotent)
import { db } from "@/server/db";
import { json, withUser } from "@/server/http/handler";
import { setCollectionItem } from "@/server/library/collections";

type Params = { id: string; item: string };

export const PUT = withUser<Params>(async ({ user, params }) =>
  json(await setCollectionItem(db(), user, params.id, "file", params.item, true)),
);

export const DELETE = withUser<Params>(async ({ user, params }) =>
  json(await setCollectionItem(db(), user, params.id, "file", params.item, false)),
);
