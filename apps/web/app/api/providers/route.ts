// GET /api/providers – the active image and video providers; what each can serve is in @sorami/contracts
import { describeProviders } from "@sorami/contracts";
import { env } from "@/env";
import { withUser } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withUser(async () => {
  const { image, video } = env().providers;
  return Response.json(describeProviders(image, video), { headers: { "Cache-Control": "no-store" } });
});
