// GET /api/health – 200 once the database and the web queue answer; "degraded" (still 200) while the generator is away
import { checkHealth } from "@/server/health";
import { withErrors } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () => {
  const { serving, ...health } = await checkHealth();
  return Response.json(health, { status: serving ? 200 : 503 });
});
