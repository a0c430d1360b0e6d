// POST /api/webhooks/:id/redeliver – queue a webhook delivery again (dead-lettered, disabled or delivered)
import { AppError } from "@sorami/contracts";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context";
import { redeliver } from "../../webhooks/deliver";

export function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: { id: string } }>("/api/webhooks/:id/redeliver", async (request) => {
    const id = request.params.id;
    if (!/^msg_[A-Za-z0-9]{1,64}$/.test(id) || !(await redeliver(ctx.db, id))) {
      throw new AppError("not_found", "Webhook delivery not found");
    }
    return { success: true, delivery_id: id, state: "pending" };
  });
}
