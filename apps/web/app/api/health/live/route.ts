// GET /api/health/live – liveness: 200 while the process serves requests; touches nothing (no database, no auth)
import { withErrors } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () =>
  Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } }),
);
