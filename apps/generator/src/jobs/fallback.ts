import {
  type CatalogEntry,
  capabilityViolation,
  type FallbackReason,
  type FallbackStep,
  type Serving,
} from "@sorami/contracts";
import { getGeneratorJob, moveToFallback } from "@sorami/db/queries/generator-jobs";
import type { TaskContext } from "@sorami/db/tasks";
import type { ModelRegistry } from "../providers/registry";
import type { ProviderError } from "../providers/types";
import type { GenerateDeps } from "./generate-steps";
import { cancelRemote, paramsOf } from "./model-call";
import { enqueueGenerate } from "./tasks";

/**
 * Fallback models: an entry may name models of its kind to try, in order,
 * when it fails with a retryable kind (rate limit, timeout, provider down)
 * after its retries. Content blocked and invalid requests never fall back
 * (another model would refuse or misread them too). A fallback is taken
 * only if its capabilities cover the request as submitted, and a model is
 * tried once per job.
 */

type Job = NonNullable<Awaited<ReturnType<typeof getGeneratorJob>>>;

/** The next model of the requested model's fallback list that can serve this job and was not tried. */
export function nextFallback(models: ModelRegistry, job: Job): CatalogEntry | null {
  const requested = typeof job.request.model === "string" ? job.request.model : null;
  const primary = requested ? models.entry(requested) : undefined;
  if (!primary) {
    return null;
  }
  const tried = new Set([primary.id, job.model, ...job.fallbacks.flatMap((s) => [s.from, s.to])]);
  const params = paramsOf(job);
  const withInputImage = Boolean(job.inputKey || job.request.input_image_url);
  for (const id of primary.fallbacks) {
    const candidate = models.entry(id);
    if (!candidate || tried.has(id) || candidate.kind !== job.kind) {
      continue;
    }
    if (capabilityViolation(candidate, params, withInputImage) === null) {
      return candidate;
    }
  }
  return null;
}

export type FallbackMove = { step: FallbackStep; serving: Serving; fromLabel: string; toLabel: string };

/**
 * Moves a job whose model spent its retries to its next fallback, queued to
 * run at once, recording which model it left and why. Work still held at
 * the model it leaves (polls that kept failing) is canceled there first, so
 * it is not paid for twice. Null when there is no fallback to take.
 */
export async function moveToNextFallback(
  deps: Pick<GenerateDeps, "db" | "models">,
  jobId: string,
  error: ProviderError,
  log: TaskContext["log"],
): Promise<FallbackMove | null> {
  const job = await getGeneratorJob(deps.db, jobId);
  if (!job) {
    return null;
  }
  const next = nextFallback(deps.models, job);
  const from = job.model ? deps.models.entry(job.model) : undefined;
  if (!next || !from) {
    return null;
  }
  if (job.remoteHandle) {
    await deps.models
      .provider(from)
      .then((built) => cancelRemote(built, job.remoteHandle as NonNullable<Job["remoteHandle"]>))
      .catch((e: unknown) => log("warn", "remote_cancel_failed", { error: String(e) }));
  }
  const step: FallbackStep = {
    from: from.id,
    to: next.id,
    reason: error.kind as FallbackReason,
    message: error.message.slice(0, 1000),
  };
  const moved = await deps.db.transaction(async (tx) => {
    const row = await moveToFallback(tx, jobId, { model: next.id, provider: next.provider, step });
    if (row) {
      await enqueueGenerate(tx, jobId);
    }
    return row;
  });
  if (!moved) {
    return null;
  }
  log("warn", "fallback", { from: step.from, to: step.to, reason: step.reason });
  return {
    step,
    serving: { model: next.id, provider: next.provider, fallbacks: moved.fallbacks },
    fromLabel: from.label,
    toLabel: next.label,
  };
}
