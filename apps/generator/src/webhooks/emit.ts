import { DEFAULT_PROGRESS, fromWireStatus, type JobKind, KIND_INFO, type WebhookPayload } from "@sorami/contracts";
import { newWebhookId } from "@sorami/contracts/signature";
import type { GeneratorJob, Tx } from "@sorami/db";
import { advanceGeneratorJob, type GeneratorJobPatch } from "@sorami/db/queries/generator-jobs";
import { taskCall } from "@sorami/db/tasks";
import { GENERATOR_TASKS } from "../jobs/tasks";

export type AdvanceOptions = {
  webUrl: string;
  kind: JobKind;
  patch?: GeneratorJobPatch;
  /** A run starts with this move: its attempt is counted. */
  bumpAttempts?: boolean;
  /**
   * The delivery's event key when it is not the status itself: a provider's
   * progress within a stage is announced several times (`generating:<id>`),
   * while each status is announced once per job.
   */
  eventKey?: string;
};

/** A key for one more announcement of a stage (provider progress): unique, ranked with its stage. */
export function progressEventKey(status: string): string {
  return `${status}:${newWebhookId()}`;
}

/**
 * Moves a job to the status its webhook `payload` announces, as the state
 * machine allows, and stores that webhook for delivery, in one statement
 * (see advanceGeneratorJob). The payload carries the status's own progress
 * unless it names one. Returns the updated row, or null when the job had
 * already ended (canceled meanwhile): then nothing is written or announced.
 */
export async function advanceJob(
  db: Tx,
  payload: WebhookPayload,
  options: AdvanceOptions,
): Promise<GeneratorJob | null> {
  const status = fromWireStatus(payload.status);
  const body: WebhookPayload = { ...payload, progress: payload.progress ?? DEFAULT_PROGRESS[status] };
  const delivery = {
    id: newWebhookId(),
    event: options.eventKey ?? payload.status,
    url: `${options.webUrl}${KIND_INFO[options.kind].webhookPath}`,
    body: JSON.stringify(body),
  };
  return advanceGeneratorJob(
    db,
    payload.job_id,
    { status, progress: payload.progress },
    {
      patch: options.patch,
      bumpAttempts: options.bumpAttempts,
      announce: { delivery, queueAttempt: taskCall(GENERATOR_TASKS.deliverWebhook, { deliveryId: delivery.id }) },
    },
  );
}
