import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import {
  WEBHOOK_KEY_GENERATED_BYTES,
  WEBHOOK_KEY_MIN_BYTES,
  WEBHOOK_SECRET_MIN_BYTES,
  WEBHOOK_TOLERANCE_SECONDS,
} from "./limits";

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
  /**
   * Documents 000/002's shared-secret header: the secret itself, in clear.
   * Sent only with WEBHOOK_SEND_LEGACY_SECRET=true, for receivers that know
   * nothing else; accepted by the web app's receiver only with
   * WEBHOOK_ACCEPT_LEGACY_SECRET=true (a backend that cannot sign).
   */
  legacySecret: "x-webhook-secret",
} as const;

/** Standard Webhooks' secret prefix: what follows is the HMAC key, in base64. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** Canonical, padded base64, as the official libraries decode it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a secret, in one of two forms:
 * - `whsec_<base64>` (Standard Webhooks, what Sorami generates): the key is
 *   the base64-decoded part after the prefix, as the spec and the official
 *   `standardwebhooks` and `svix` libraries take it;
 * - anything else, a plain secret (an operator's WEBHOOK_SECRET, or the
 *   secrets.json of an install older than the prefix): its UTF-8 bytes, as
 *   Sorami always used them, so existing deployments and receivers keep
 *   verifying. The official libraries would base64-decode a plain secret
 *   instead: hand them `toStandardSecret(secret)`.
 */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}

/** A secret in the `whsec_` form with the same key: what to give a Standard Webhooks library. */
export function toStandardSecret(secret: string): string {
  return secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret
    : `${WEBHOOK_SECRET_PREFIX}${webhookKey(secret).toString("base64")}`;
}

/** A fresh secret: `whsec_` and the base64 of WEBHOOK_KEY_GENERATED_BYTES random bytes. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(WEBHOOK_KEY_GENERATED_BYTES).toString("base64")}`;
}

/** Why a configured secret is refused at start-up, or null: too short a key, or a `whsec_` that is not base64. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    return Buffer.byteLength(secret, "utf8") >= WEBHOOK_SECRET_MIN_BYTES
      ? null
      : `must be at least ${WEBHOOK_SECRET_MIN_BYTES} bytes (or whsec_ and the base64 of at least ${WEBHOOK_KEY_MIN_BYTES})`;
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) {
    return "after whsec_ must be base64 (A-Z a-z 0-9 + /, padded with =)";
  }
  return webhookKey(secret).length >= WEBHOOK_KEY_MIN_BYTES
    ? null
    : `must be whsec_ and the base64 of at least ${WEBHOOK_KEY_MIN_BYTES} bytes`;
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
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
