import {
  AppError,
  filesOfData,
  type JobKind,
  KIND_INFO,
  PROMPT_MAX_LENGTH,
  storableText,
  truncateText,
  type WebhookPayload,
} from "@sorami/contracts";
import type { Generation, Tx } from "@sorami/db";
import { insertGeneration, setGenerationPrompt } from "@sorami/db/queries/generations";
import { organizationIdOf } from "@sorami/db/queries/organizations";
import { userExists } from "@sorami/db/queries/users";

/**
 * Jobs a backend reports that this app never created (document 003's
 * "backend-direct" webhooks): they are created for the user their `user_id`
 * names, and keep the prompt the backend reports.
 */

/** `params.source` of a job created from a webhook. */
export const DIRECT_SOURCE = "generator-direct";

/** The prompt of a job created from a webhook that has not (yet) said it. */
export const PROMPT_NOT_REPORTED = "(prompt not reported by the generator)";

/**
 * The prompt an event reports: `original_prompt` at the top level or in
 * `data` (document 003's proposal; both are read), else the first file's
 * `description` (what document 003's webhook rebuilt it from). Cut to the
 * prompt limit and made storable; null when the event says none.
 */
export function reportedPrompt(payload: WebhookPayload): string | null {
  const data = payload.status === "completed" ? payload.data : undefined;
  const candidates = [payload.original_prompt, data?.original_prompt, data ? filesOfData(data)[0]?.description : null];
  const found = candidates.map((c) => c?.trim()).find((c) => c);
  return found ? storableText(truncateText(found, PROMPT_MAX_LENGTH, { ellipsis: "…" })) : null;
}

export async function createFromWebhook(tx: Tx, kind: JobKind, payload: WebhookPayload): Promise<Generation> {
  const userId = payload.user_id;
  if (!userId) {
    console.warn(`[webhook] refused: unknown job ${payload.job_id} and no user_id`);
    throw new AppError("not_found", `Unknown job ${payload.job_id}`, { field: "job_id" });
  }
  if (!(await userExists(tx, userId))) {
    console.warn(`[webhook] refused: unknown job ${payload.job_id} for unknown user ${userId}`);
    throw new AppError("not_found", `Unknown job ${payload.job_id} and unknown user`, { field: "user_id" });
  }
  const data = payload.status === "completed" ? payload.data : undefined;
  const firstFile = data ? filesOfData(data)[0] : undefined;
  const row = await insertGeneration(tx, {
    id: payload.job_id,
    kind,
    authorId: userId,
    organizationId: await organizationIdOf(tx, userId),
    prompt: reportedPrompt(payload) ?? PROMPT_NOT_REPORTED,
    params: {
      source: DIRECT_SOURCE,
      ...(firstFile ? { size: firstFile.dimensions, format: firstFile.format } : {}),
    },
    model: data?.metadata?.model_name ?? payload.serving?.model ?? KIND_INFO[kind].defaultModel,
    provider: payload.serving?.provider ?? null,
    status: "PENDING",
    createdAt: new Date(),
  });
  console.info(`[webhook] created job ${row.id} for user ${userId} from a generator-direct webhook`);
  return row;
}

/**
 * A job created from a progress event (which seldom says the prompt) takes
 * the prompt a later event reports; a job the user submitted keeps theirs.
 */
export async function completeReportedPrompt(tx: Tx, g: Generation, payload: WebhookPayload): Promise<void> {
  if (g.params.source !== DIRECT_SOURCE || g.prompt !== PROMPT_NOT_REPORTED) {
    return;
  }
  const prompt = reportedPrompt(payload);
  if (prompt) {
    await setGenerationPrompt(tx, g.id, prompt);
    // The row this transaction goes on with: the notification quotes the prompt.
    g.prompt = prompt;
  }
}
