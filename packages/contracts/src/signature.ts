import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { WEBHOOK_TOLERANCE_SECONDS } from "./limits";

/**
 * The Standard Webhooks scheme (standardwebhooks.com): the signature is
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` over the exact bytes sent.
 * `webhook-signature` may carry several space-separated signatures, so a
 * secret can be rotated without losing deliveries.
 */
export const WEBHOOK_HEADERS = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
  /** Documents 000/002's shared-secret header, still sent for older receivers. */
  legacySecret: "x-webhook-secret",
} as const;

function keyBytes(secret: string): Buffer {
  // Standard Webhooks secrets may be written "whsec_<base64>"; plain strings are used as UTF-8.
  return secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", keyBytes(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export function newWebhookId(): string {
  return `msg_${randomUUID().replaceAll("-", "")}`;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export type VerifyResult =
  | { ok: true; id: string | null; scheme: "standard" | "legacy-secret" }
  | { ok: false; reason: "missing" | "bad-signature" | "stale" };

/**
 * Verifies a delivery against any of the accepted secrets. A Standard
 * Webhooks signature is checked when present; otherwise the legacy
 * `X-Webhook-Secret` header must equal a secret (compared in constant time).
 * Either way the check runs in every environment.
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: { get(name: string): string | null },
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): VerifyResult {
  const id = headers.get(WEBHOOK_HEADERS.id);
  const ts = headers.get(WEBHOOK_HEADERS.timestamp);
  const sig = headers.get(WEBHOOK_HEADERS.signature);
  if (id && ts && sig) {
    if (!/^\d{1,12}$/.test(ts)) {
      return { ok: false, reason: "bad-signature" };
    }
    const timestamp = Number(ts);
    if (Math.abs(nowSeconds - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
      return { ok: false, reason: "stale" };
    }
    const offered = sig.split(" ").filter((s) => s.startsWith("v1,"));
    for (const secret of secrets) {
      const expected = signWebhook(secret, id, timestamp, body);
      if (offered.some((s) => safeEqual(s, expected))) {
        return { ok: true, id, scheme: "standard" };
      }
    }
    return { ok: false, reason: "bad-signature" };
  }
  const legacy = headers.get(WEBHOOK_HEADERS.legacySecret);
  if (legacy) {
    if (secrets.some((s) => safeEqual(legacy, s))) {
      return { ok: true, id, scheme: "legacy-secret" };
    }
    return { ok: false, reason: "bad-signature" };
  }
  return { ok: false, reason: "missing" };
}
