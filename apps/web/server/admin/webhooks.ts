import { AppError, type GeneratorRedelivery, webhookDeliveryIdSchema } from "@sorami/contracts";
import { GeneratorRefused, generator } from "../generator-client";

/** Asks the generator to queue a webhook delivery again (after a dead-letter or a 410). */
export async function redeliverWebhook(deliveryId: string): Promise<GeneratorRedelivery> {
  if (!webhookDeliveryIdSchema.safeParse(deliveryId).success) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  let queued: GeneratorRedelivery | null;
  try {
    queued = await generator().redeliver(deliveryId);
  } catch (error) {
    if (error instanceof GeneratorRefused) {
      throw new AppError("unavailable", `The generator answered ${error.status}`);
    }
    throw new AppError("unavailable", "The generator is unreachable; try again shortly");
  }
  if (!queued) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  return queued;
}
