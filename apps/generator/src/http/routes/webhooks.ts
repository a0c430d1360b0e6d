// POST /api/webhooks/:id/redeliver – queue a webhook delivery again (dead-lettered, disabled or delivered)
import { AppError, generatorRedeliverySchema, webhookDeliveryIdSchema } from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { redeliver } from "../../webhooks/deliver";
import { answer } from "../answer";

export function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string } }>("/api/webhooks/:id/redeliver", async (request) => {
    const id = request.params.id;
    if (!webhookDeliveryIdSchema.safeParse(id).success || !(await redeliver(ctx.db, id))) {
      throw new AppError("not_found", "Webhook delivery not found");
    }
    return answer(generatorRedeliverySchema, { success: true, delivery_id: id, state: "pending" });
  });
}
