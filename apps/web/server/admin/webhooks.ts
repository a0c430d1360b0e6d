import { AppError } from "@sorami/contracts";
import { env } from "../../env";

/** Asks the generator to queue a webhook delivery again (after a dead-letter or a 410). */
export async function redeliverWebhook(deliveryId: string): Promise<{ delivery_id: string; state: string }> {
  if (!/^msg_[A-Za-z0-9]{1,64}$/.test(deliveryId)) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  const e = env();
  let res: Response;
  try {
    res = await fetch(`${e.generatorUrl}/api/webhooks/${deliveryId}/redeliver`, {
      method: "POST",
      headers: { authorization: `Bearer ${e.serviceKey}` },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new AppError("unavailable", "The generator is unreachable; try again shortly");
  }
  if (res.status === 404) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  if (!res.ok) {
    throw new AppError("unavailable", `The generator answered ${res.status}`);
  }
  return { delivery_id: deliveryId, state: "pending" };
}
