import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, signUp, sql, type TestUser, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
let user: TestUser;
beforeAll(async () => {
  stack = await startStack({
    env: {
      LOCAL_PROVIDER_DELAY_MS: "0",
      RECONCILE_INTERVAL_SECONDS: "1",
      JOB_STALE_SECONDS_IMAGE: "2",
      JOB_MAX_AGE_SECONDS_IMAGE: "3600",
    },
    // Every webhook is lost: the generator sends them to a port where nothing listens.
    serviceEnv: { generator: { WEB_URL: "http://127.0.0.1:9" } },
  });
  user = await signUp(stack.webUrl, "Reconciled");
});
afterAll(async () => stack?.stop());

const status = async (id: string) => (await api(stack.webUrl, user.token)("GET", `/api/images/${id}/status`)).data;

describe("the reconciler", () => {
  it("repairs a job whose webhooks were all lost: result, files and notification, once", async () => {
    const call = api(stack.webUrl, user.token);
    const jobId = (
      await call("POST", "/api/images/generate", { prompt: "lost and found", num_images: 2, size: "256x256" })
    ).data.job_id;
    const final = await waitFor(
      async () => {
        const s = await status(jobId);
        return s.status === "COMPLETED" ? s : null;
      },
      "the reconciler to repair the job",
      60_000,
    );
    expect(final.progress).toBe(100);
    const [delivered] = await sql<{ n: string }>(
      stack.databaseUrl,
      "select count(*) n from generator.webhook_deliveries where job_id = $1 and state = 'delivered'",
      [jobId],
    );
    expect(Number(delivered?.n)).toBe(0); // not one webhook arrived: this was the reconciler
    expect((await call("GET", `/api/images/${jobId}/result`)).data.images).toHaveLength(2);
    expect(
      await sql(stack.databaseUrl, "select 1 from notifications where metadata->>'job_id' = $1", [jobId]),
    ).toHaveLength(1);
  });

  it("dispatches again a job the generator never received", async () => {
    const id = randomUUID();
    await sql(
      stack.databaseUrl,
      `insert into generations (id, kind, author_id, prompt, params, status, created_at, updated_at)
       values ($1, 'image', $2, 'never sent', '{"size":"256x256","format":"PNG","style":"sketch","quality":"standard","num_images":1}', 'PENDING', now(), now() - interval '1 minute')`,
      [id, user.id],
    );
    await waitFor(async () => (await status(id)).status === "COMPLETED", "the job to be sent and repaired", 60_000);
  });

  it("fails, with a reason, a job older than its kind's maximum age", async () => {
    const id = randomUUID();
    await sql(
      stack.databaseUrl,
      `insert into generations (id, kind, author_id, prompt, params, status, created_at, updated_at)
       values ($1, 'image', $2, 'ancient', '{}', 'GENERATING', now() - interval '2 hours', now() - interval '2 hours')`,
      [id, user.id],
    );
    const s = await waitFor(
      async () => {
        const r = await status(id);
        return r.status === "FAILED" ? r : null;
      },
      "the old job to be failed",
      60_000,
    );
    expect(s.error).toMatch(/longer than the longest a job may take/);
  });
});
