import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchGenerator, secretsOf, signUp, sql, waitFor } from "../support/client";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
beforeAll(async () => {
  // A slow provider so the kill lands mid-job; a short stale window so the test needn't wait a minute.
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "3000", QUEUE_STALE_SECONDS: "3" } });
});
afterAll(async () => stack?.stop());

describe("a generator killed with SIGKILL mid-job", () => {
  it("has its job picked up again and finished, with its files exactly once", async () => {
    const user = await signUp(stack.webUrl, "Crash");
    const call = api(stack.webUrl, user.token);
    const submit = await call("POST", "/api/images/generate", {
      prompt: "survives a crash",
      num_images: 2,
      size: "256x256",
    });
    const jobId = submit.data.job_id;
    await waitFor(
      async () => (await call("GET", `/api/images/${jobId}/status`)).data.status === "GENERATING",
      "GENERATING",
    );

    await stack.stopService("generator", "SIGKILL");
    const [locked] = await sql<{ locked_by: string | null }>(
      stack.databaseUrl,
      "select locked_by from generator_worker.jobs where key = $1",
      [`generate:${jobId}`],
    );
    expect(locked?.locked_by).toBeTruthy(); // still held by the dead process
    await stack.startService("generator");

    const final = await waitFor(
      async () => {
        const r = await call("GET", `/api/images/${jobId}/status`);
        return r.data.status === "COMPLETED" ? r.data : null;
      },
      "the job to complete after the crash",
      120_000,
    );
    expect(final.progress).toBe(100);
    const [job] = await sql<{ attempts: number; status: string }>(
      stack.databaseUrl,
      "select attempts, status from generator.jobs where id = $1",
      [jobId],
    );
    expect(job).toEqual({ attempts: 2, status: "COMPLETED" });
    const files = await sql(
      stack.databaseUrl,
      "select index from media_files where generation_id = $1 order by index",
      [jobId],
    );
    expect(files).toEqual([{ index: 0 }, { index: 1 }]);
    const deliveries = await sql<{ event: string }>(
      stack.databaseUrl,
      "select event from generator.webhook_deliveries where job_id = $1 order by event",
      [jobId],
    );
    // Each status announced once, although the job ran twice.
    expect(deliveries.map((d) => d.event)).toEqual(["completed", "generating", "initializing", "saving"]);
    const notes = await sql(stack.databaseUrl, "select 1 from notifications where metadata->>'job_id' = $1", [jobId]);
    expect(notes).toHaveLength(1);
  });
});

describe("cancel", () => {
  it("stops a running job: CANCELED everywhere, no files, and a late result changes nothing", async () => {
    const user = await signUp(stack.webUrl, "Canceller");
    const call = api(stack.webUrl, user.token);
    const jobId = (await call("POST", "/api/images/generate", { prompt: "never mind", size: "256x256" })).data.job_id;
    await waitFor(
      async () => (await call("GET", `/api/images/${jobId}/status`)).data.status === "GENERATING",
      "GENERATING",
    );

    expect(
      (await api(stack.webUrl, (await signUp(stack.webUrl, "Other")).token)("POST", `/api/images/${jobId}/cancel`))
        .status,
    ).toBe(404);
    const canceled = await call("POST", `/api/images/${jobId}/cancel`);
    expect([canceled.status, canceled.data.status]).toEqual([200, "CANCELED"]);
    expect((await call("POST", `/api/images/${jobId}/cancel`)).status).toBe(409);

    const { serviceKey } = secretsOf(stack.dataDir);
    await waitFor(async () => {
      const r = await fetchGenerator(`${stack.generatorUrl}/api/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${serviceKey}` },
      });
      return ((await r.json()) as { status: string }).status === "CANCELED";
    }, "the generator to cancel");
    // Past the provider's delay: had the job gone on, it would have finished by now.
    await new Promise((r) => setTimeout(r, 3500));
    expect((await call("GET", `/api/images/${jobId}/status`)).data.status).toBe("CANCELED");
    expect(await sql(stack.databaseUrl, "select 1 from media_files where generation_id = $1", [jobId])).toHaveLength(0);
    const events = await sql<{ event: string }>(
      stack.databaseUrl,
      "select event from generator.webhook_deliveries where job_id = $1",
      [jobId],
    );
    expect(events.map((e) => e.event)).not.toContain("completed");
    expect(existsSync(path.join(stack.dataDir, "media/images", jobId))).toBe(false);
  });

  it("refuses to cancel a job that has ended", async () => {
    const user = await signUp(stack.webUrl, "Late");
    const call = api(stack.webUrl, user.token);
    const jobId = (await call("POST", "/api/images/generate", { prompt: "done already", size: "256x256" })).data.job_id;
    await waitFor(
      async () => (await call("GET", `/api/images/${jobId}/status`)).data.status === "COMPLETED",
      "COMPLETED",
    );
    const r = await call("POST", `/api/images/${jobId}/cancel`);
    expect([r.status, r.error.code]).toEqual([409, "conflict"]);
  });
});
