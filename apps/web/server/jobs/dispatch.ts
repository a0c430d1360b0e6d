import {
  DOCUMENTS_REQUEST_SCHEMAS,
  describeZodError,
  GENERATOR_REQUEST_SCHEMAS,
  isTerminal,
  JOB_ERROR_MAX_LENGTH,
  type JobKind,
  truncateText,
} from "@sorami/contracts";
import type { Database, Generation } from "@sorami/db";
import { getGenerationById, lockGeneration } from "@sorami/db/queries/generations";
import { catalog } from "../catalog";
import { type GeneratorClient, GeneratorRefused } from "../generator-client";
import { log } from "../log";
import { documentsRequest, type HandoverDeps, HandoverRefused } from "./handover";
import { transitionGeneration } from "./transition";

/** A backend's own job id is quoted in the reason up to this length (it could be anything). */
const QUOTED_JOB_ID_MAX_LENGTH = 100;

/**
 * Hands a job to the generator with the job's own id and owner. A refusal
 * (4xx) fails the job with the generator's reason; an unreachable generator
 * or a 5xx throws, so the queue retries with backoff.
 */
export async function dispatchGeneration(
  db: Database,
  jobId: string,
  opts: { generator: GeneratorClient; handover?: HandoverDeps },
): Promise<"sent" | "skipped" | "refused"> {
  const g = await getGenerationById(db, jobId);
  if (!g || isTerminal(g.status)) {
    return "skipped";
  }
  const refusal = await handOver(opts.generator, g, opts.handover);
  if (refusal === null) {
    log().info({ kind: g.kind }, "job dispatched to the generator");
    return "sent";
  }
  log().warn({ kind: g.kind, reason: refusal }, "the generator refused the job");
  await db.transaction(async (tx) => {
    const locked = await lockGeneration(tx, jobId);
    if (locked) {
      await transitionGeneration(tx, locked, {
        status: "FAILED",
        error: refusal,
        errorKind: "refused",
        message: "Generation failed",
      });
    }
  });
  return "refused";
}

/** What a job is sent as: Sorami's request, or the documents' body for a documents backend. */
async function requestFor(generator: GeneratorClient, g: Generation, handover: HandoverDeps | undefined) {
  if (generator.api === "sorami") {
    // An input image stays where submit stored it: the params carry its key (input_image_key), which the
    // generator reads from the same storage. Its bytes never cross HTTP.
    return GENERATOR_REQUEST_SCHEMAS[g.kind].safeParse({
      ...g.params,
      prompt: g.prompt,
      job_id: g.id,
      user_id: g.authorId,
    });
  }
  if (!handover) {
    throw new Error("Dispatching to a documents backend needs the storage and link signer (HandoverDeps)");
  }
  return DOCUMENTS_REQUEST_SCHEMAS[g.kind].safeParse(await documentsRequest(g, handover));
}

/** Submits the request: null once the generator has the job, else why it refused it. Unavailable: throws. */
async function handOver(
  generator: GeneratorClient,
  g: Generation,
  handover: HandoverDeps | undefined,
): Promise<string | null> {
  const kind: JobKind = g.kind;
  let request: Awaited<ReturnType<typeof requestFor>>;
  try {
    request = await requestFor(generator, g, handover);
  } catch (error) {
    if (error instanceof HandoverRefused) {
      return `The job could not be sent: ${truncateText(error.message, JOB_ERROR_MAX_LENGTH)}`;
    }
    throw error;
  }
  // The generator's own contract, checked here too: what it would refuse fails the same way, without the trip.
  if (!request.success) {
    return `The generator refused the job: ${truncateText(describeZodError(request.error).message, JOB_ERROR_MAX_LENGTH)}`;
  }
  try {
    const accepted = await generator.submit(kind, request.data);
    if (accepted.job_id !== null && accepted.job_id !== g.id) {
      // Its webhooks would carry its own id and never reach this job (document 003's problem).
      return `The backend answered with another job_id (${truncateText(accepted.job_id, QUOTED_JOB_ID_MAX_LENGTH)}); it must use the job_id it is sent (document 000)`;
    }
    return null;
  } catch (error) {
    if (!(error instanceof GeneratorRefused)) {
      throw error;
    }
    if (error.field === "model") {
      // The generator no longer runs the model this process offered: its catalog changed.
      catalog().stale();
    }
    // transitionGeneration cuts and cleans it again; cut here so the reason keeps its prefix.
    return error.reason
      ? `The generator refused the job: ${truncateText(error.reason, JOB_ERROR_MAX_LENGTH)}`
      : `The generator refused the job (HTTP ${error.status})`;
  }
}
