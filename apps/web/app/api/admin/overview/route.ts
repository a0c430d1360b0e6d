// GET /api/admin/overview – jobs, failures, queues, deliveries, processes, storage, moderation, users (admins only)

import { env } from "@/env";
import { adminOverview } from "@/server/admin/overview";
import { db } from "@/server/db";
import { generator } from "@/server/generator-client";
import { json, withAdmin } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = withAdmin(async () =>
  json(
    await adminOverview(db(), generator(), {
      staleAfterMs: env().queueStaleAfterMs,
      screening: env().moderation.threshold !== null,
    }),
    { headers: { "Cache-Control": "no-store" } },
  ),
);
