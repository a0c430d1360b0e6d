// GET /api/health – 200 once the database and the web queue answer
import { checkHealth } from "@/server/health";
import { withErrors } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503 });
});
