// GET /api/health – 200 once the database and the web queue answer; "degraded" (still 200) while the generator is away
import { webHealth } from "@/server/health";
import { json, withErrors } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () => {
  const { health, serving } = await webHealth();
  return json(health, { status: serving ? 200 : 503 });
});
