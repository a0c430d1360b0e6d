import { z } from "zod";
import {
  IDEMPOTENCY_KEY_MAX_LENGTH,
  JOB_ID_MAX_LENGTH,
  JOB_ID_PATTERN,
  MODEL_ID_MAX_LENGTH,
  WEBHOOK_ID_MAX_LENGTH,
} from "./limits";

/** A job id as callers may choose it (the web app's generation ids, the generator's job ids). */
export const jobIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(JOB_ID_MAX_LENGTH, { error: `must be at most ${JOB_ID_MAX_LENGTH} characters` })
  .regex(JOB_ID_PATTERN, { error: "may contain only letters, digits, '-' and '_'" });

/**
 * A catalog model id: `gemini-2.5-flash-image`, `fal-ai/flux/schnell`,
 * `replicate:black-forest-labs/flux-schnell`. Malformed is a 400; well formed
 * but not an active model is the catalog's 422 naming `model`.
 */
export const modelIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(MODEL_ID_MAX_LENGTH, { error: `must be at most ${MODEL_ID_MAX_LENGTH} characters` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, {
    error: "must be letters, digits and . _ : / @ + - (starting with a letter or digit)",
  });

/**
 * A webhook's `webhook-id` header (Standard Webhooks): the primary key of the receiver's
 * webhook_events, so bounded to fit its index. Printable ASCII, as HTTP header values are.
 */
export const webhookIdSchema = z
  .string()
  .min(1, { error: "is required" })
  .max(WEBHOOK_ID_MAX_LENGTH, { error: `must be at most ${WEBHOOK_ID_MAX_LENGTH} characters` })
  .regex(/^[\x21-\x7E]+$/, { error: "must be printable ASCII" });

/** An `Idempotency-Key` header: stored beside its user in a unique index, so bounded, and printable ASCII. */
export const idempotencyKeySchema = z
  .string()
  .min(1, { error: "is required" })
  .max(IDEMPOTENCY_KEY_MAX_LENGTH, { error: `must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters` })
  .regex(/^[\x21-\x7E]+$/, { error: "must be printable ASCII" });
