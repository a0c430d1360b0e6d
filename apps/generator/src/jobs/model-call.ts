import {
  DEFAULT_PROGRESS,
  imageParamsSchema,
  type RemoteHandle,
  remoteHandleSchema,
  videoParamsSchema,
} from "@sorami/contracts";
import type { Database, GeneratorJob } from "@sorami/db";
import { clearRemoteHandle, recordRemoteSubmission } from "@sorami/db/queries/generator-jobs";
import type { BuiltProvider } from "../providers/factories";
import { RemoteWorkFailed } from "../providers/remote";
import {
  type AsyncProvider,
  type GeneratedFile,
  type ProviderContext,
  ProviderError,
  type ProviderProgress,
  RemoteLostError,
} from "../providers/types";

/**
 * One call of a job's model. A synchronous provider answers in one call; an
 * asynchronous one (Veo, fal, Replicate, BFL, ComfyUI…) is never paid twice:
 * a stored handle is waited on again, and a new submission's handle is
 * committed before the first wait, so a generator killed while the provider
 * works comes back to the same work (collected if it finished meanwhile).
 */

export class JobCanceled extends Error {
  constructor() {
    super("The job was canceled");
    this.name = "JobCanceled";
  }
}

export type ModelOutput = { files: GeneratedFile[]; metadata: Record<string, unknown> };

/** What the call tells the run as it goes: a submission's request id, the provider's own words. */
export type CallEvents = {
  /** Work was submitted (or a stored submission is resumed): its request id. */
  submitted(handle: RemoteHandle, resumed: boolean): Promise<void>;
  /** What the provider reports, as it changes. */
  progress(progress: ProviderProgress): void;
  log(level: "info" | "warn", event: string, fields?: Record<string, unknown>): void;
};

/** The job's stored parameters, validated again by the kind's contract. */
export function paramsOf(job: GeneratorJob) {
  return job.kind === "image" ? imageParamsSchema.parse(job.request) : videoParamsSchema.parse(job.request);
}

/** A stored handle, if the row holds one this code can read. */
function storedHandle(job: GeneratorJob): RemoteHandle | null {
  const parsed = remoteHandleSchema.safeParse(job.remoteHandle);
  return parsed.success ? parsed.data : null;
}

export async function callModel(
  db: Database,
  job: GeneratorJob,
  built: BuiltProvider,
  ctx: ProviderContext,
  events: CallEvents,
): Promise<ModelOutput> {
  const params = paramsOf(job);
  if (built.mode === "sync") {
    return built.provider.generate(params, ctx);
  }
  return callAsync(db, job, built.provider, params, ctx, events);
}

async function callAsync(
  db: Database,
  job: GeneratorJob,
  provider: AsyncProvider<GeneratorJob["kind"]>,
  params: ReturnType<typeof paramsOf>,
  ctx: ProviderContext,
  events: CallEvents,
): Promise<ModelOutput> {
  let handle = storedHandle(job);
  let resumed = handle !== null;
  let lost = false;
  for (;;) {
    if (!handle) {
      handle = await provider.submit(params, ctx);
      // Its own statement, committed before any wait: from here a restart resumes instead of paying again.
      const row = await recordRemoteSubmission(db, job.id, handle);
      if (!row) {
        // Canceled while the submission was on its way: stop the work it started.
        await provider
          .cancel(handle)
          .catch((e: unknown) => events.log("warn", "remote_cancel_failed", { error: String(e) }));
        throw new JobCanceled();
      }
      resumed = false;
    }
    await events.submitted(handle, resumed);
    try {
      return await provider.wait(handle, params, { ...ctx, onProgress: events.progress });
    } catch (error) {
      if (error instanceof RemoteLostError) {
        await clearRemoteHandle(db, job.id, "lost");
        events.log("warn", "remote_lost", { request_id: handle.id, error: error.message, submitting_again: !lost });
        if (lost) {
          // Lost twice in one run: the provider keeps forgetting; the run's retry rules decide.
          throw new ProviderError("transient", error.message);
        }
        lost = true;
        handle = null;
        continue;
      }
      if (error instanceof RemoteWorkFailed) {
        // The work ended badly: waiting on it again would see the same end, so the next try submits anew.
        await clearRemoteHandle(db, job.id, "failed");
      }
      throw error;
    }
  }
}

/** Cancels the work behind a job's stored handle, if its model's provider is asynchronous (best effort). */
export async function cancelRemote(built: BuiltProvider, handle: RemoteHandle): Promise<void> {
  if (built.mode === "async") {
    await built.provider.cancel(handle);
  }
}

/**
 * What the provider reports (a percentage only when it gives one) as the
 * job's progress within its GENERATING stage: from the stage's own value
 * up to just below SAVING's, so stages stay monotonic. Nothing reported,
 * nothing invented: the stage's value.
 */
export function progressWithin(percent: number | undefined): number {
  const from = DEFAULT_PROGRESS.GENERATING;
  const to = DEFAULT_PROGRESS.SAVING - 1;
  if (percent === undefined || !Number.isFinite(percent)) {
    return from;
  }
  return from + Math.floor((Math.min(Math.max(percent, 0), 100) * (to - from)) / 100);
}
