import type { JobStatus } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advanceJob } from "./emit";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

const job = async (id: string, status: JobStatus = "PENDING") => {
  await t.db.insert(schema.generatorJobs).values({ id, kind: "image", userId: "u1", request: { prompt: "p" }, status });
};
const image = { file_path: "images/j/image_1.png", format: "PNG", size_bytes: 1, dimensions: "1x1" };
const advance = (jobId: string, event: "generating" | "completed", bumpAttempts = false) =>
  advanceJob(
    t.db,
    event === "completed"
      ? { job_id: jobId, status: event, data: { images: [image] } }
      : { job_id: jobId, status: event },
    { webUrl: "http://web.test", kind: "image", bumpAttempts },
  );
const deliveries = (jobId: string) =>
  t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.jobId, jobId));
const queued = async (jobId: string) =>
  (
    await t.pool.query<{ key: string; task_identifier: string; payload: { deliveryId: string } }>(
      `select j.key, t.identifier as task_identifier, j.payload from generator_worker._private_jobs j
       join generator_worker._private_tasks t on t.id = j.task_id
       join generator.webhook_deliveries d on j.key = 'deliver:' || d.id where d.job_id = $1`,
      [jobId],
    )
  ).rows;

describe("advanceJob", () => {
  it("moves the job, stores the event and queues its first delivery attempt, in one statement", async () => {
    await job("job-a");
    const row = await advance("job-a", "generating", true);
    expect(row).toMatchObject({ id: "job-a", status: "GENERATING", attempts: 1 });
    expect(row?.updatedAt).toBeInstanceOf(Date);
    const [delivery] = await deliveries("job-a");
    expect(delivery?.url).toBe("http://web.test/api/webhooks/image-completion");
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ job_id: "job-a", status: "generating" });
    expect(await queued("job-a")).toEqual([
      { key: `deliver:${delivery?.id}`, task_identifier: "deliver-webhook", payload: { deliveryId: delivery?.id } },
    ]);
  });

  it("announces an event of a job once: a repeat (a re-run job) stores and queues nothing more", async () => {
    await job("job-b");
    expect(await advance("job-b", "completed")).not.toBeNull();
    expect(await advance("job-b", "completed")).toBeNull(); // COMPLETED is terminal: the second finds it ended
    await job("job-b2");
    await advance("job-b2", "generating");
    await advance("job-b2", "generating");
    for (const id of ["job-b", "job-b2"]) {
      expect(await deliveries(id)).toHaveLength(1);
      expect(await queued(id)).toHaveLength(1);
    }
  });

  it("writes and announces nothing for a job that already ended (canceled meanwhile)", async () => {
    await job("job-c", "CANCELED");
    expect(await advance("job-c", "generating")).toBeNull();
    expect(await deliveries("job-c")).toHaveLength(0);
    expect(await queued("job-c")).toHaveLength(0);
    const [row] = await t.db.select().from(schema.generatorJobs).where(eq(schema.generatorJobs.id, "job-c"));
    expect(row?.status).toBe("CANCELED");
  });
});
