// GET /api/health/live – liveness: 200 while the process serves requests; touches nothing (no database, no auth)
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
