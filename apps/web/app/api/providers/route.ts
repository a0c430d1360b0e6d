// GET /api/providers – the default image and video models (the pre-catalog shape); every model is GET /api/models
import { AppError, describeDefaults } from "@sorami/contracts";
import { catalog } from "@/server/catalog";
import { withUser } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withUser(async () => {
  const defaults = describeDefaults(await catalog().models());
  if (!defaults) {
    throw new AppError("unavailable", "No default model is known yet");
  }
  return Response.json(defaults, { headers: { "Cache-Control": "no-store" } });
});
