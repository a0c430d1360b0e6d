import {
  AppError,
  type JobAccepted,
  type JobKind,
  type ModelView,
  type PromptPolicy,
  sniffImageType,
} from "@sorami/contracts";
import { readObject } from "@sorami/storage";
import { parseSubmission } from "./params";
import { ownedJob } from "./read";
import { type SubmitContext, submitGeneration } from "./submit";

/**
 * Submits a new job with the parameters of one of the user's jobs, through
 * the same checks and the same submit as a new request: the stored
 * parameters are validated again against the catalog as it is now (a model
 * no longer active, or a capability narrowed since, is a 422 naming the
 * field), and an input image is read back from storage and stored
 * again under the new job, so deleting either job never breaks the other.
 */
export async function rerunGeneration(
  ctx: SubmitContext & {
    catalog: { models: readonly ModelView[]; inputImageAllowedHosts: readonly string[] };
    policy: PromptPolicy;
    /** An admin's retry of a failed job: the new job records it as its origin. */
    asRetry?: boolean;
  },
  kind: JobKind,
  id: string,
  idempotencyKey: string | null,
): Promise<{ body: JobAccepted; created: boolean }> {
  const g = await ownedJob(ctx.db, ctx.user, kind, id);
  const { input_image_key, source, ...params } = g.params;
  if (source !== undefined) {
    throw new AppError("unprocessable", "This job was not submitted here, so its parameters are not known");
  }
  const submission = parseSubmission(
    kind,
    { ...params, prompt: g.prompt },
    ctx.catalog.models,
    ctx.catalog.inputImageAllowedHosts,
    ctx.policy,
    typeof input_image_key === "string",
  );
  if (ctx.asRetry) {
    submission.retryOf = g.id;
  }
  if (typeof input_image_key === "string") {
    const bytes = await readObject(ctx.storage, input_image_key);
    const type = bytes ? sniffImageType(bytes) : null;
    if (!bytes || !type) {
      throw new AppError("conflict", "The input image of this job is no longer stored");
    }
    submission.inputImage = { bytes, type };
  }
  return submitGeneration(ctx, kind, submission, idempotencyKey);
}
