import { createHash } from "node:crypto";
import {
  AppError,
  type JobKind,
  KIND_INFO,
  WEBHOOK_BODY_MAX_BYTES,
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookAck,
  webhookIdSchema,
} from "@sorami/contracts";
import { verifyWebhook } from "@sorami/contracts/signature";
import { env } from "../../env";
import { db } from "../db";
import { decodeUtf8, json, parseJsonText, readBodyBytes } from "../http/handler";
import { log } from "../log";
import { applyPayload, parseWebhookPayload } from "./apply";

/**
 * Inbound webhook: raw body → verify → parse → apply once. The signature is
 * checked in every environment. Answers follow document 002.
 */
export async function receiveWebhook(req: Request, kind: JobKind): Promise<Response> {
  const started = performance.now();
  // Decoded strictly: the signature covers these exact bytes, and bytes that are not UTF-8 would
  // decode to a string another byte sequence also decodes to.
  const body = decodeUtf8(await readBodyBytes(req, WEBHOOK_BODY_MAX_BYTES));
  const verified = verifyWebhook(env().webhookSecrets, req.headers, body);
  if (!verified.ok) {
    log().warn({ kind, reason: verified.reason }, "webhook refused");
    throw new AppError("unauthorized", "Unauthorized");
  }
  // The documents' secret in clear: anyone who saw one request could send any other. Only when the operator says so.
  if (verified.scheme === "legacy-secret" && !env().acceptLegacyWebhookSecret) {
    console.warn(
      `[webhook] refused (X-Webhook-Secret is not accepted; sign with Standard Webhooks, or set WEBHOOK_ACCEPT_LEGACY_SECRET=true) on /${kind}`,
    );
    throw new AppError("unauthorized", "Unauthorized");
  }
  // The id becomes webhook_events' primary key: one the index cannot hold is a 400, not a database error.
  const badId = verified.id ? webhookIdSchema.safeParse(verified.id).error : null;
  if (badId) {
    throw new AppError("invalid_request", `webhook-id: ${badId.issues[0]?.message}`, { field: "webhook-id" });
  }
  const payload = parseWebhookPayload(kind, parseJsonText(body));

  // Deliveries authenticated by the legacy shared secret carry their time in the body.
  if (verified.scheme === "legacy-secret") {
    const ts = payload.timestamp ? Date.parse(payload.timestamp) : Number.NaN;
    if (Number.isNaN(ts) || Math.abs(Date.now() - ts) > WEBHOOK_TOLERANCE_SECONDS * 1000) {
      throw new AppError("unauthorized", "Unauthorized");
    }
  }
  const eventId = verified.id || `legacy_${createHash("sha256").update(body).digest("hex")}`;
  const result = await applyPayload(db(), kind, eventId, payload, {
    screening: env().moderation.threshold !== null,
  });
  const processing_time_ms = Math.round((performance.now() - started) * 100) / 100;
  log().info(
    {
      job_id: payload.job_id,
      webhook: payload.status,
      event_id: eventId,
      outcome: result.outcome,
      ...(result.outcome === "applied" ? { status: result.status } : {}),
      ...(result.outcome === "ignored" ? { reason: result.reason } : {}),
    },
    "webhook received",
  );

  let ack: WebhookAck;
  if (result.outcome === "duplicate") {
    ack = { success: true, message: "Job already processed", job_id: payload.job_id, processing_time_ms };
  } else if (result.outcome === "ignored") {
    ack = {
      success: true,
      message:
        result.reason === "deleted"
          ? "Ignored: the job was deleted"
          : `Ignored: the job is already past this status (${result.reason})`,
      job_id: payload.job_id,
      processing_time_ms,
    };
  } else if (result.status === "COMPLETED") {
    const { noun, filesKey } = KIND_INFO[kind];
    ack = {
      success: true,
      message: `${result.filesCount} ${noun}(s) generated successfully`,
      job_id: payload.job_id,
      [`${filesKey}_count`]: result.filesCount,
      processing_time_ms,
    };
  } else {
    ack = { success: true, message: `Status updated to ${result.status}`, job_id: payload.job_id, processing_time_ms };
  }
  // Time spent in this function (body read to commit), for load tests and browser dev tools.
  return json(ack, { headers: { "Server-Timing": `app;dur=${processing_time_ms}` } });
}
