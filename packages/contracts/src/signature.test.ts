import { randomBytes } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import {
  WEBHOOK_KEY_GENERATED_BYTES,
  WEBHOOK_KEY_MIN_BYTES,
  WEBHOOK_SECRET_MIN_BYTES,
  WEBHOOK_TOLERANCE_SECONDS,
} from "./limits";
import {
  generateWebhookSecret,
  signWebhook,
  toStandardSecret,
  verifyWebhook,
  WEBHOOK_HEADERS,
  webhookKey,
  webhookSecretProblem,
} from "./signature";

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

describe("secret forms, checked against the official Standard Webhooks libraries", () => {
  const generated = generateWebhookSecret();
  // Svix issues 24-byte keys; a plain secret is what an operator may have set, or an older secrets.json holds.
  const fromSvix = `whsec_${randomBytes(24).toString("base64")}`;
  const plain = randomBytes(32).toString("base64url");
  const libraries = [
    { name: "standardwebhooks", make: (secret: string) => new StandardWebhook(secret) },
    { name: "svix", make: (secret: string) => new SvixWebhook(secret) },
  ];
  const nowDate = () => new Date();

  it("generates whsec_ and the base64 of WEBHOOK_KEY_GENERATED_BYTES random bytes", () => {
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(webhookKey(generated)).toHaveLength(WEBHOOK_KEY_GENERATED_BYTES);
    expect(generateWebhookSecret()).not.toBe(generated);
    expect(webhookSecretProblem(generated)).toBeNull();
  });

  for (const { name, make } of libraries) {
    it(`${name} verifies Sorami's signatures with a generated secret as is, no options`, () => {
      const ts = Math.floor(Date.now() / 1000);
      for (const secret of [generated, fromSvix]) {
        const sent = {
          "webhook-id": "msg_a",
          "webhook-timestamp": String(ts),
          "webhook-signature": signWebhook(secret, "msg_a", ts, body),
        };
        expect(make(secret).verify(body, sent)).toEqual(JSON.parse(body));
        expect(() => make(secret).verify(`${body} `, sent)).toThrow();
      }
    });

    it(`${name} signs webhooks Sorami accepts, with a generated secret and with a plain one`, () => {
      for (const secret of [generated, fromSvix, plain]) {
        const at = nowDate();
        const signature = make(toStandardSecret(secret)).sign("msg_b", at, body);
        const got = headers({
          [WEBHOOK_HEADERS.id]: "msg_b",
          [WEBHOOK_HEADERS.timestamp]: String(Math.floor(at.getTime() / 1000)),
          [WEBHOOK_HEADERS.signature]: signature,
        });
        expect(verifyWebhook([secret], got, body).ok, secret).toBe(true);
        expect(verifyWebhook([OTHER], got, body).ok).toBe(false);
      }
    });

    it(`${name} verifies a plain secret's signatures given it as whsec_ (its UTF-8 bytes as the key)`, () => {
      const ts = Math.floor(Date.now() / 1000);
      const sent = {
        "webhook-id": "msg_c",
        "webhook-timestamp": String(ts),
        "webhook-signature": signWebhook(plain, "msg_c", ts, body),
      };
      expect(toStandardSecret(plain)).toBe(`whsec_${Buffer.from(plain).toString("base64")}`);
      expect(make(toStandardSecret(plain)).verify(body, sent)).toEqual(JSON.parse(body));
      // The libraries cannot read the plain (base64url) secrets Sorami generated before the whsec_ form.
      expect(() => make(plain).verify(body, sent)).toThrow();
    });
  }

  it("keeps a plain secret's key: its UTF-8 bytes, as before the whsec_ form", async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", Buffer.from(plain, "utf8")).update(`msg_1.${now}.${body}`).digest("base64");
    expect(signWebhook(plain, "msg_1", now, body)).toBe(`v1,${expected}`);
    expect(webhookKey(generated)).toEqual(Buffer.from(generated.slice(6), "base64"));
  });

  it("refuses weak or malformed secrets, naming the rule", () => {
    expect(webhookSecretProblem(`whsec_${randomBytes(WEBHOOK_KEY_MIN_BYTES).toString("base64")}`)).toBeNull();
    expect(webhookSecretProblem(`whsec_${randomBytes(WEBHOOK_KEY_MIN_BYTES - 1).toString("base64")}`)).toMatch(
      /at least 24 bytes/,
    );
    expect(webhookSecretProblem(`whsec_${randomBytes(32).toString("base64url")}-_`)).toMatch(/base64/);
    expect(webhookSecretProblem(`whsec_${randomBytes(32).toString("base64").replace(/=+$/, "")}`)).toMatch(/base64/);
    expect(webhookSecretProblem("whsec_")).toMatch(/at least 24 bytes/);
    expect(webhookSecretProblem("p".repeat(WEBHOOK_SECRET_MIN_BYTES))).toBeNull();
    expect(webhookSecretProblem("p".repeat(WEBHOOK_SECRET_MIN_BYTES - 1))).toMatch(/at least 32 bytes/);
  });
});
