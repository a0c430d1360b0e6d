import { isTerminal, KIND_INFO } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { getGenerationById, lockGeneration } from "@sorami/db/queries/generations";
import { readObject, type Storage } from "@sorami/storage";
import { transitionGeneration } from "./transition";

/** A generator that has not answered a submit in this time is treated as unreachable (it answers 202 at once). */
export const DISPATCH_TIMEOUT_MS = 15_000;

export class GeneratorUnavailable extends Error {}

/**
 * Hands a job to the generator with the job's own id and owner. A refusal
 * (4xx) fails the job with the generator's reason; an unreachable generator
 * or a 5xx throws, so the queue retries with backoff.
 */
export async function dispatchGeneration(
  db: Database,
  jobId: string,
  opts: { generatorUrl: string; serviceKey: string; storage: Storage },
): Promise<"sent" | "skipped" | "refused"> {
  const g = await getGenerationById(db, jobId);
  if (!g || isTerminal(g.status)) {
    return "skipped";
  }
  // The input image travels as base64, as in document 004's request; the row keeps only its key.
  const { input_image_key, ...params } = g.params;
  const input = typeof input_image_key === "string" ? await readObject(opts.storage, input_image_key) : null;
  if (typeof input_image_key === "string" && !input) {
    throw new Error(`Input image ${input_image_key} is missing`);
  }
  const input_image_base64 = input?.toString("base64");
  const body = JSON.stringify({
    ...params,
    ...(input_image_base64 ? { input_image_base64 } : {}),
    prompt: g.prompt,
    job_id: g.id,
    user_id: g.authorId,
  });
  let response: Response;
  try {
    response = await fetch(`${opts.generatorUrl}/api/${KIND_INFO[g.kind].plural}/generate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${opts.serviceKey}` },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(DISPATCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new GeneratorUnavailable(`Generator unreachable: ${(error as Error).message}`);
  }
  if (response.ok) {
    return "sent";
  }
  const text = await response.text().catch(() => "");
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new GeneratorUnavailable(`Generator answered ${response.status}: ${text.slice(0, 200)}`);
  }
  let reason = `The generator refused the job (HTTP ${response.status})`;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) {
      reason = `The generator refused the job: ${parsed.error.message}`;
    }
  } catch {}
  await db.transaction(async (tx) => {
    const locked = await lockGeneration(tx, jobId);
    if (locked) {
      await transitionGeneration(tx, locked, { status: "FAILED", error: reason, message: "Generation failed" });
    }
  });
  return "refused";
}
