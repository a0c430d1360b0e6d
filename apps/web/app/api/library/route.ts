// GET /api/library?kind=&status=&q=&model=&favorite=&collection=&from=&to=&cursor=&limit= – the user's generations of every kind, searched and filtered
import { libraryQuerySchema } from "@sorami/contracts";
import { catalog } from "@/server/catalog";
import { db } from "@/server/db";
import { json, parseWith, withUser } from "@/server/http/handler";
import { checkModelFilter } from "@/server/jobs/read";
import { listLibrary } from "@/server/library/search";

export const GET = withUser(async ({ req, user }) => {
  const query = parseWith(libraryQuerySchema, Object.fromEntries(new URL(req.url).searchParams));
  if (query.model) {
    // As on the per-kind galleries: a model this deployment does not know is a 400 naming `model`.
    checkModelFilter(
      query.model,
      await catalog()
        .models()
        .catch(() => null),
    );
  }
  return json(await listLibrary(db(), user, null, query), { headers: { "Cache-Control": "no-store" } });
});
