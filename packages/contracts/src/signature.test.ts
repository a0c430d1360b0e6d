import { describe, expect, it } from "vitest";
import { WEBHOOK_TOLERANCE_SECONDS } from "./limits";
import { signWebhook, verifyWebhook, WEBHOOK_HEADERS } from "./signature";

const SECRET = "s".repeat(40);
const OTHER = "o".repeat(40);
const body = JSON.stringify({ job_id: "j1", status: "completed" });
const now = 1_800_000_000;

function headers(map: Record<string, string>) {
  const h = new Headers(map);
  return { get: (n: string) => h.get(n) };
}
function signed(secret: string, ts = now, id = "msg_1") {
  return headers({
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(ts),
    [WEBHOOK_HEADERS.signature]: signWebhook(secret, id, ts, body),
  });
}

describe("Standard Webhooks signatures", () => {
  it("matches the published scheme: base64 HMAC-SHA256 of id.timestamp.body", async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", SECRET).update(`msg_1.${now}.${body}`).digest("base64");
    expect(signWebhook(SECRET, "msg_1", now, body)).toBe(`v1,${expected}`);
  });

  it("accepts a valid signature and returns the event id", () => {
    expect(verifyWebhook([SECRET], signed(SECRET), body, now)).toEqual({ ok: true, id: "msg_1", scheme: "standard" });
  });

  it("refuses a wrong secret, a changed body, and a missing signature", () => {
    expect(verifyWebhook([SECRET], signed(OTHER), body, now)).toMatchObject({ ok: false, reason: "bad-signature" });
    expect(verifyWebhook([SECRET], signed(SECRET), `${body} `, now)).toMatchObject({ ok: false });
    expect(verifyWebhook([SECRET], headers({}), body, now)).toMatchObject({ ok: false, reason: "missing" });
  });

  it("refuses timestamps more than the tolerance away, in both directions", () => {
    const edge = WEBHOOK_TOLERANCE_SECONDS;
    expect(verifyWebhook([SECRET], signed(SECRET, now - edge), body, now).ok).toBe(true);
    expect(verifyWebhook([SECRET], signed(SECRET, now - edge - 1), body, now)).toMatchObject({ reason: "stale" });
    expect(verifyWebhook([SECRET], signed(SECRET, now + edge + 1), body, now)).toMatchObject({ reason: "stale" });
  });

  it("accepts any of several secrets, and any of several signatures (rotation)", () => {
    expect(verifyWebhook([OTHER, SECRET], signed(SECRET), body, now).ok).toBe(true);
    const both = headers({
      [WEBHOOK_HEADERS.id]: "msg_1",
      [WEBHOOK_HEADERS.timestamp]: String(now),
      [WEBHOOK_HEADERS.signature]: `${signWebhook(OTHER, "msg_1", now, body)} ${signWebhook(SECRET, "msg_1", now, body)}`,
    });
    expect(verifyWebhook([SECRET], both, body, now).ok).toBe(true);
  });

  it("accepts documents 000/002's X-Webhook-Secret only when it equals a secret", () => {
    expect(verifyWebhook([SECRET], headers({ [WEBHOOK_HEADERS.legacySecret]: SECRET }), body, now)).toEqual({
      ok: true,
      id: null,
      scheme: "legacy-secret",
    });
    expect(verifyWebhook([SECRET], headers({ [WEBHOOK_HEADERS.legacySecret]: OTHER }), body, now).ok).toBe(false);
  });
});
