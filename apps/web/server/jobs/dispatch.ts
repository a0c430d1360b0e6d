import {
  describeZodError,
  GENERATOR_REQUEST_SCHEMAS,
  isTerminal,
  JOB_ERROR_MAX_LENGTH,
  type JobKind,
  truncateText,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { getGenerationById, lockGeneration } from "@sorami/db/queries/generations";
import { type GeneratorClient, GeneratorRefused } from "../generator-client";
import { log } from "../log";
import { transitionGeneration } from "./transition";

/**
 * Hands a job to the generator with the job's own id and owner. A refusal
 * (4xx) fails the job with the generator's reason; an unreachable generator
 * or a 5xx throws, so the queue retries with backoff.
 */
export async function dispatchGeneration(
  db: Database,
  jobId: string,
  opts: { generator: GeneratorClient },
): Promise<"sent" | "skipped" | "refused"> {
  const g = await getGenerationById(db, jobId);
  if (!g || isTerminal(g.status)) {
    return "skipped";
  }
  // An input image stays where submit stored it: the params carry its key (input_image_key), which the
  // generator reads from the same storage. Its bytes never cross HTTP.
  const refusal = await handOver(opts.generator, g.kind, {
    ...g.params,
    prompt: g.prompt,
    job_id: g.id,
    user_id: g.authorId,
  });
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

/** Submits the request: null once the generator has the job, else why it refused it. Unavailable: throws. */
async function handOver(generator: GeneratorClient, kind: JobKind, body: unknown): Promise<string | null> {
  // The generator's own contract, checked here too: what it would refuse fails the same way, without the trip.
  const request = GENERATOR_REQUEST_SCHEMAS[kind].safeParse(body);
  if (!request.success) {
    return `The generator refused the job: ${describeZodError(request.error).message}`;
  }
  try {
    await generator.submit(kind, request.data);
    return null;
  } catch (error) {
    if (!(error instanceof GeneratorRefused)) {
      throw error;
    }
    // transitionGeneration cuts and cleans it again; cut here so the reason keeps its prefix.
    return error.reason
      ? `The generator refused the job: ${truncateText(error.reason, JOB_ERROR_MAX_LENGTH)}`
      : `The generator refused the job (HTTP ${error.status})`;
  }
}
