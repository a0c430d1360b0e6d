import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitWebhook } from "./emit";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const emit = (jobId: string, event: "generating" | "completed") =>
  t.db.transaction((tx) =>
    emitWebhook(tx, {
      webUrl: "http://web.test",
      kind: "image",
      event,
      payload: { job_id: jobId, status: event },
    }),
  );
const queued = async (jobId: string) =>
  (
    await t.pool.query<{ key: string; task_identifier: string; payload: { deliveryId: string } }>(
      `select j.key, t.identifier as task_identifier, j.payload from generator_worker._private_jobs j
       join generator_worker._private_tasks t on t.id = j.task_id
       join generator.webhook_deliveries d on j.key = 'deliver:' || d.id where d.job_id = $1`,
      [jobId],
    )
  ).rows;

describe("emitWebhook", () => {
  it("stores the event and queues its first delivery attempt", async () => {
    await emit("job-a", "generating");
    const [delivery] = await t.db
      .select()
      .from(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.jobId, "job-a"));
    expect(delivery?.url).toBe("http://web.test/api/webhooks/image-completion");
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ job_id: "job-a", status: "generating" });
    expect(await queued("job-a")).toEqual([
      { key: `deliver:${delivery?.id}`, task_identifier: "deliver-webhook", payload: { deliveryId: delivery?.id } },
    ]);
  });

  it("announces an event of a job once: a repeat stores and queues nothing more", async () => {
    await emit("job-b", "completed");
    await emit("job-b", "completed");
    const rows = await t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.jobId, "job-b"));
    expect(rows).toHaveLength(1);
    expect(await queued("job-b")).toHaveLength(1);
  });

  it("queues nothing when the transaction rolls back", async () => {
    await t.db
      .transaction(async (tx) => {
        await emitWebhook(tx, {
          webUrl: "http://web.test",
          kind: "image",
          event: "completed",
          payload: { job_id: "job-c", status: "completed" },
        });
        throw new Error("roll back");
      })
      .catch(() => {});
    expect(await queued("job-c")).toHaveLength(0);
    expect(
      await t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.jobId, "job-c")),
    ).toHaveLength(0);
  });
});
