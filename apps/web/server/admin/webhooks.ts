import { AppError, type GeneratorRedelivery, webhookDeliveryIdSchema } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { recordAdminAction } from "@sorami/db/queries/admin-jobs";
import type { GeneratorClient } from "../generator-client";
import type { SessionUser } from "../session";
import { askGenerator } from "./generator";

/** Asks the generator to queue a webhook delivery again (after a dead-letter or a 410), recorded as the admin's action. */
export async function redeliverWebhook(
  db: Database,
  generator: GeneratorClient,
  admin: SessionUser,
  deliveryId: string,
): Promise<GeneratorRedelivery> {
  if (!webhookDeliveryIdSchema.safeParse(deliveryId).success) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  if (!generator.capabilities.redeliver) {
    // Deliveries are the generator's records; a documents backend keeps none Sorami can name.
    throw new AppError(
      "not_found",
      "Webhook delivery not found: the backend at GENERATOR_URL (GENERATOR_API=documents) sends its own webhooks",
    );
  }
  const queued = await askGenerator(() => generator.redeliver(deliveryId));
  if (!queued) {
    throw new AppError("not_found", "Webhook delivery not found");
  }
  await recordAdminAction(db, { adminId: admin.id, action: "redeliver", targetType: "delivery", targetId: deliveryId });
  return queued;
}
