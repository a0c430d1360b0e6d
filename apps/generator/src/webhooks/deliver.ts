import { parseRetryAfterSeconds, REQUEST_ID_HEADER, truncateText } from "@sorami/contracts";
import { signWebhook, WEBHOOK_HEADERS } from "@sorami/contracts/signature";
import type { Database, Tx } from "@sorami/db";
import {
  getDeliveryForAttempt,
  markDeliveryPending,
  markDeliverySuperseded,
  recordDeliveryAttempt,
} from "@sorami/db/queries/deliveries";
import { enqueueTask } from "@sorami/db/tasks";
import { type Logger, logger } from "@sorami/log";
import { GENERATOR_TASKS } from "../jobs/tasks";
import { deliveries, deliveryDuration } from "./metrics";

/** A receiver that has not answered in this time is treated as down (Standard Webhooks' advice). */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 15_000;
/** Of a receiver's refusal, this much of its answer is kept with the attempt (for the operator). */
const RECEIVER_ANSWER_KEPT_LENGTH = 300;

/**
 * Delay before each attempt, in seconds: the Standard Webhooks schedule
 * (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). After the last
 * attempt fails the delivery is dead-lettered (state `dead`) until an admin
 * redelivers it.
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;
/** Each delay is moved by up to this fraction either way, so retries from many jobs don't arrive together. */
export const WEBHOOK_RETRY_JITTER = 0.1;
/** A receiver's Retry-After is honoured up to this long. */
export const RETRY_AFTER_MAX_SECONDS = 24 * 3600;

export type DeliveryOptions = {
  secrets: readonly string[];
  sendLegacySecret: boolean;
  /** Overrides the schedule (tests, impatient deployments). */
  scheduleSeconds?: readonly number[];
  /** The delivery task's logger (its run's ids bound); default the process's. */
  log?: Logger;
};

/** An outcome as the metrics name it. */
const OUTCOME_LABEL: Partial<Record<DeliveryOutcome, string>> = {
  delivered: "delivered",
  "retry-scheduled": "retry",
  dead: "dead",
  disabled: "disabled",
  superseded: "superseded",
};

/** When the next attempt runs after `attemptsMade` failures, or null when the schedule is spent. */
export function nextAttemptDelaySeconds(
  attemptsMade: number,
  schedule: readonly number[],
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade];
  if (base === undefined) {
    return null;
  }
  const jittered = base * (1 + (random() * 2 - 1) * WEBHOOK_RETRY_JITTER);
  return Math.max(jittered, retryAfterSeconds ?? 0);
}

export type DeliveryOutcome =
  | "delivered"
  | "already-done"
  | "missing"
  | "retry-scheduled"
  | "dead"
  | "disabled"
  | "superseded";

/**
 * A progress delivery still waiting this long after it was queued means
 * deliveries are backed up: if a later event of its job is queued too, it is
 * not sent. Below this age every stage goes out, so a receiver that keeps up
 * shows every stage.
 */
export const SUPERSEDE_AFTER_MS = 1000;

/**
 * Sends one stored webhook, signed at send time, and records the attempt.
 * Only a 2xx counts; redirects are not followed (a redirect is how webhooks
 * get lost); a 410 means the receiver wants no more, so the delivery is
 * disabled. Otherwise the next attempt is queued on the schedule.
 *
 * A progress event (initializing, generating, saving) that waited over
 * SUPERSEDE_AFTER_MS while its job got a later event is not sent: it is
 * marked `superseded`. When the receiver keeps up every stage still goes
 * out; when deliveries back up (receiver down, overload) the receiver gets
 * the newest state once instead of a backlog of stale ones it would only
 * acknowledge and ignore.
 */
export async function deliverWebhook(
  db: Database,
  deliveryId: string,
  opts: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const delivery = await getDeliveryForAttempt(db, deliveryId, SUPERSEDE_AFTER_MS);
  if (!delivery) {
    return "missing";
  }
  if (delivery.state !== "pending") {
    return "already-done";
  }
  const log = (opts.log ?? logger()).child({ job_id: delivery.jobId, webhook: delivery.event });
  if (delivery.superseded) {
    await markDeliverySuperseded(db, delivery.id);
    deliveries.inc({ event: delivery.event, outcome: "superseded" });
    log.info({ outcome: "superseded" }, "webhook superseded");
    return "superseded";
  }

  const timestamp = Math.floor(Date.now() / 1000);
  const signingSecret = opts.secrets[0];
  if (!signingSecret) {
    throw new Error("No webhook secret configured");
  }
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "sorami-generator",
    [WEBHOOK_HEADERS.id]: delivery.id,
    // The receiver's log lines for this delivery carry its id, as the generator's do.
    [REQUEST_ID_HEADER]: delivery.id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    // Signed with every configured secret during a rotation, so receivers holding either one accept it.
    [WEBHOOK_HEADERS.signature]: opts.secrets
      .map((s) => signWebhook(s, delivery.id, timestamp, delivery.body))
      .join(" "),
  };
  if (opts.sendLegacySecret) {
    headers[WEBHOOK_HEADERS.legacySecret] = signingSecret;
  }

  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let retryAfter: number | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers,
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_ATTEMPT_TIMEOUT_MS),
    });
    statusCode = response.status;
    const asked = parseRetryAfterSeconds(response.headers.get("retry-after"));
    retryAfter = asked === null ? null : Math.min(Math.ceil(asked), RETRY_AFTER_MAX_SECONDS);
    const text = await response.text().catch(() => "");
    if (response.status < 200 || response.status >= 300) {
      error = `HTTP ${response.status}: ${truncateText(text, RECEIVER_ANSWER_KEPT_LENGTH)}`;
    }
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }

  const answeredAfter = (Date.now() - started) / 1000;
  const attempts = delivery.attempts + 1;
  let outcome: DeliveryOutcome;
  let delay: number | null = null;
  if (error === null) {
    outcome = "delivered";
  } else if (statusCode === 410) {
    outcome = "disabled";
  } else {
    delay = nextAttemptDelaySeconds(attempts, opts.scheduleSeconds ?? WEBHOOK_RETRY_SCHEDULE_SECONDS, retryAfter);
    outcome = delay === null ? "dead" : "retry-scheduled";
  }
  const state = outcome === "retry-scheduled" ? "pending" : (outcome as "delivered" | "dead" | "disabled");
  const record = (tx: Tx) =>
    recordDeliveryAttempt(tx, delivery.id, {
      statusCode,
      error,
      durationMs: Date.now() - started,
      state,
      ...(outcome === "delivered" ? { deliveredAt: new Date() } : {}),
    });
  if (delay === null) {
    await record(db);
  } else {
    const at = new Date(Date.now() + delay * 1000);
    await db.transaction(async (tx) => {
      await record(tx);
      await scheduleDelivery(tx, delivery.id, at);
    });
  }
  const label = OUTCOME_LABEL[outcome] ?? outcome;
  deliveries.inc({ event: delivery.event, outcome: label });
  deliveryDuration.observe({ outcome: label }, answeredAfter);
  const fields = { outcome: label, status_code: statusCode, attempts, ms: Math.round(answeredAfter * 1000) };
  if (outcome === "delivered" || outcome === "retry-scheduled") {
    log[outcome === "delivered" ? "info" : "warn"]({ ...fields, error: error ?? undefined }, "webhook delivery");
  } else {
    log.warn({ ...fields, error }, `webhook ${outcome} after ${attempts} attempt(s)`);
  }
  return outcome;
}

/** Queues an attempt of a delivery (one queued attempt per delivery at a time). */
export async function scheduleDelivery(tx: Tx, deliveryId: string, runAt?: Date) {
  await enqueueTask(tx, GENERATOR_TASKS.deliverWebhook, { deliveryId }, { runAt });
}

/** Puts a dead, disabled or delivered delivery back in the queue (admin redelivery). */
export async function redeliver(db: Database, deliveryId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await markDeliveryPending(tx, deliveryId))) {
      return false;
    }
    await scheduleDelivery(tx, deliveryId);
    return true;
  });
}
