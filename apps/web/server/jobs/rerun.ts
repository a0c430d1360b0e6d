import { AppError, type JobAccepted, type JobKind, type ModelView, sniffImageType } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { readObject, type Storage } from "@sorami/storage";
import type { SessionUser } from "../session";
import { parseSubmission } from "./params";
import { ownedJob } from "./read";
import { type Quotas, submitGeneration } from "./submit";

/**
 * Submits a new job with the parameters of one of the user's jobs, through
 * the same checks and the same submit as a new request: the stored
 * parameters are validated again against the catalog as it is now (a model
 * no longer active, or a capability narrowed since, is a 422 naming the
 * field), and an input image is read back from storage and stored
 * again under the new job, so deleting either job never breaks the other.
 */
export async function rerunGeneration(
  db: Database,
  storage: Storage,
  user: SessionUser,
  kind: JobKind,
  id: string,
  idempotencyKey: string | null,
  catalog: { models: readonly ModelView[]; inputImageAllowedHosts: readonly string[] },
  quotas: Quotas,
): Promise<{ body: JobAccepted; created: boolean }> {
  const g = await ownedJob(db, user, kind, id);
  const { input_image_key, source, ...params } = g.params;
  if (source !== undefined) {
    throw new AppError("unprocessable", "This job was not submitted here, so its parameters are not known");
  }
  const submission = parseSubmission(
    kind,
    { ...params, prompt: g.prompt },
    catalog.models,
    catalog.inputImageAllowedHosts,
    typeof input_image_key === "string",
  );
  if (typeof input_image_key === "string") {
    const bytes = await readObject(storage, input_image_key);
    const type = bytes ? sniffImageType(bytes) : null;
    if (!bytes || !type) {
      throw new AppError("conflict", "The input image of this job is no longer stored");
    }
    submission.inputImage = { bytes, type };
  }
  return submitGeneration(db, storage, user, kind, submission, idempotencyKey, quotas);
}
