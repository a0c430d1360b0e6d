// GET /api/health – 200 once the database and the web queue answer
import { webHealth } from "@/server/health";
import { json, withErrors } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withErrors(async () => {
  const health = await webHealth();
  return json(health, { status: health.status === "ok" ? 200 : 503 });
});
