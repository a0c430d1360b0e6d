// POST /api/images/generate – submit an image job (202 with its job_id)
import { imageParamsSchema, SUBMIT_BODY_MAX_BYTES } from "@sorami/contracts";
import { db } from "@/server/db";
import { parseWith, readJson, withUser } from "@/server/http/handler";
import { submitGeneration, validateIdempotencyKey } from "@/server/jobs/submit";

export const POST = withUser(async ({ req, user }) => {
  const params = parseWith(imageParamsSchema, await readJson(req, SUBMIT_BODY_MAX_BYTES));
  const key = validateIdempotencyKey(req.headers.get("idempotency-key"));
  const { body, created } = await submitGeneration(db(), user, "image", params, key);
  return Response.json(body, { status: 202, headers: created ? {} : { "Idempotent-Replayed": "true" } });
});
