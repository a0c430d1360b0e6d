// GET /api/collections – the user's collections with their counts; POST – create one
import { COLLECTION_BODY_MAX_BYTES, createCollectionSchema } from "@sorami/contracts";
import { db } from "@/server/db";
import { json, parseWith, readJson, withUser } from "@/server/http/handler";
import { createUserCollection, listUserCollections } from "@/server/library/collections";

export const GET = withUser(async ({ user }) =>
  json(await listUserCollections(db(), user), { headers: { "Cache-Control": "no-store" } }),
);

export const POST = withUser(
  async ({ req, user }) => {
    const body = parseWith(createCollectionSchema, await readJson(req, COLLECTION_BODY_MAX_BYTES));
    return json(await createUserCollection(db(), user, body.name), { status: 201 });
  },
  { maxBodyBytes: COLLECTION_BODY_MAX_BYTES },
);
