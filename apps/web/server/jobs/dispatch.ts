import { isTerminal, KIND_INFO } from "@sorami/contracts";
import { type Database, schema } from "@sorami/db";
import { lockGeneration } from "@sorami/db/queries/generations";
import { eq } from "drizzle-orm";
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
  opts: { generatorUrl: string; serviceKey: string },
): Promise<"sent" | "skipped" | "refused"> {
  const [g] = await db.select().from(schema.generations).where(eq(schema.generations.id, jobId));
  if (!g || isTerminal(g.status)) return "skipped";
  const body = JSON.stringify({ ...g.params, prompt: g.prompt, job_id: g.id, user_id: g.authorId });
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
  if (response.ok) return "sent";
  const text = await response.text().catch(() => "");
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new GeneratorUnavailable(`Generator answered ${response.status}: ${text.slice(0, 200)}`);
  }
  let reason = `The generator refused the job (HTTP ${response.status})`;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) reason = `The generator refused the job: ${parsed.error.message}`;
  } catch {}
  await db.transaction(async (tx) => {
    const locked = await lockGeneration(tx, jobId);
    if (locked)
      await transitionGeneration(tx, locked, { status: "FAILED", error: reason, message: "Generation failed" });
  });
  return "refused";
}
