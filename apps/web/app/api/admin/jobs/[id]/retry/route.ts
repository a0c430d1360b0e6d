// POST /api/admin/jobs/{id}/retry – retry a failed job as a new job of its owner's (admins only)

import { env } from "@/env";
import { retryAsAdmin } from "@/server/admin/jobs";
import { jobIdParam } from "@/server/admin/params";
import { catalog } from "@/server/catalog";
import { db, storage } from "@/server/db";
import { json, withAdmin } from "@/server/http/handler";

export const POST = withAdmin<{ id: string }>(async ({ user, params }) => {
  const deps = {
    db: db(),
    storage: storage(),
    quotas: env().quotas,
    catalog: { models: await catalog().models(), inputImageAllowedHosts: env().inputImageAllowedHosts },
    policy: env().moderation.policy,
  };
  return json(await retryAsAdmin(deps, user, jobIdParam(params.id)), { status: 202 });
});
