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

describe("a job the reconciler cannot repair", () => {
  it("never holds back the others nor the pruning: it ends FAILED with a reason, they are repaired", async () => {
    const db = stack.databaseUrl;
    const call = api(stack.webUrl, user.token);
    const submit = async (prompt: string): Promise<string> =>
      (await call("POST", "/api/images/generate", { prompt, num_images: 1, size: "256x256" })).data.job_id;

    // Two poisoned jobs, made to fail for real when their result is written. One by a constraint its rows
    // break (PostgreSQL refuses the content: the same every time)…
    const unstorable = await submit("poisoned by a constraint");
    await sql(
      db,
      `alter table media_files add constraint poison_unstorable check (storage_key <> 'images/${unstorable}/image_1.png')`,
    );
    // …and one by an error that says nothing of its cause (a trigger raising), which could be passing.
    const failing = await submit("poisoned by a trigger");
    await sql(
      db,
      "create function poison_repair() returns trigger language plpgsql as $$ begin raise exception 'poisoned job'; end $$",
    );
    await sql(
      db,
      `create trigger poison_repair before insert on media_files for each row
       when (new.generation_id = '${failing}') execute function poison_repair()`,
    );
    // The oldest stale jobs, so the reconciler meets them first (it used to stop its whole run at the first error).
    await sql(db, "update generations set updated_at = now() - interval '1 hour' where id = any($1)", [
      [unstorable, failing],
    ]);
    // A live event past its retention, which the reconciler's tick prunes after its repairs.
    await sql(
      db,
      "insert into user_events (user_id, type, data, created_at) values ($1, 'job', '{}', now() - interval '3 days')",
      [user.id],
    );
    const healthy = [await submit("healthy one"), await submit("healthy two")];

    for (const id of healthy) {
      await waitFor(async () => (await status(id)).status === "COMPLETED", `healthy job ${id} to be repaired`, 120_000);
    }
    const ended = async (id: string) =>
      waitFor(
        async () => {
          const s = await status(id);
          return s.status === "FAILED" ? s : null;
        },
        `poisoned job ${id} to end`,
        120_000,
      );
    expect((await ended(unstorable)).error).toMatch(/could not record this job's result/);
    expect((await ended(failing)).error).toMatch(/could not bring this job up to date after several tries/);
    const [row] = await sql<{ repair_failures: number }>(db, "select repair_failures from generations where id = $1", [
      failing,
    ]);
    expect(row?.repair_failures).toBeGreaterThan(1); // tried again on later runs before giving up
    // The owner is told, and the jobs no longer count against their active jobs.
    const notes = await sql<{ message: string }>(
      db,
      "select message from notifications where metadata->>'job_id' = any($1)",
      [[unstorable, failing]],
    );
    expect(notes).toHaveLength(2);
    await waitFor(
      async () =>
        (await sql(db, "select 1 from user_events where created_at < now() - interval '2 days'")).length === 0,
      "the old live event to be pruned",
    );
  });
});
