import { signWebhook, WEBHOOK_HEADERS } from "@sorami/contracts/signature";
import { type Database, schema } from "@sorami/db";
import { eq, sql } from "drizzle-orm";

/** A receiver that has not answered in this time is treated as down (Standard Webhooks' advice). */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 15_000;

export class DeliveryFailed extends Error {}

/**
 * Sends one stored webhook, signed at send time, and records the attempt.
 * Only a 2xx counts; redirects are not followed (a redirect is how webhooks
 * get lost). Throws on failure so the queue retries with backoff.
 */
export async function deliverWebhook(
  db: Database,
  deliveryId: string,
  opts: { secrets: readonly string[]; sendLegacySecret: boolean },
): Promise<"delivered" | "already-delivered" | "missing"> {
  const [delivery] = await db
    .select()
    .from(schema.webhookDeliveries)
    .where(eq(schema.webhookDeliveries.id, deliveryId));
  if (!delivery) return "missing";
  if (delivery.state === "delivered") return "already-delivered";

  const timestamp = Math.floor(Date.now() / 1000);
  const signingSecret = opts.secrets[0];
  if (!signingSecret) throw new Error("No webhook secret configured");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "sorami-generator",
    [WEBHOOK_HEADERS.id]: delivery.id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(signingSecret, delivery.id, timestamp, delivery.body),
  };
  if (opts.sendLegacySecret) headers[WEBHOOK_HEADERS.legacySecret] = signingSecret;

  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers,
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_ATTEMPT_TIMEOUT_MS),
    });
    statusCode = response.status;
    const text = await response.text().catch(() => "");
    if (response.status < 200 || response.status >= 300) error = `HTTP ${response.status}: ${text.slice(0, 300)}`;
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ok = error === null;
  await db.transaction(async (tx) => {
    await tx.insert(schema.webhookAttempts).values({
      deliveryId: delivery.id,
      statusCode,
      error,
      durationMs: Date.now() - started,
    });
    await tx
      .update(schema.webhookDeliveries)
      .set({
        attempts: sql`${schema.webhookDeliveries.attempts} + 1`,
        lastStatusCode: statusCode,
        lastError: error,
        ...(ok ? { state: "delivered" as const, deliveredAt: new Date() } : {}),
      })
      .where(eq(schema.webhookDeliveries.id, delivery.id));
  });
  if (!ok) throw new DeliveryFailed(`Webhook ${delivery.id} (${delivery.event}) to ${delivery.url} failed: ${error}`);
  return "delivered";
}
