// GET /api/models – the active models (every provider whose key is configured), with capabilities and the defaults
import { catalog } from "@/server/catalog";
import { json, withUser } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withUser(async () =>
  json({ models: await catalog().models() }, { headers: { "Cache-Control": "no-store" } }),
);
