import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchGenerator, secretsOf, signUp, sql, waitFor } from "../support/client";
import { isJobEvent, openEvents } from "../support/events";
import { type Stack, startStack } from "../support/stack";

let stack: Stack;
beforeAll(async () => {
  // A slow provider, so the web app can be stopped while the job runs.
  // A short retry schedule: the default waits 5 s, then 5 minutes.
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "2500", WEBHOOK_RETRY_SCHEDULE: "0,1,2,2,5,10,30" } });
});
afterAll(async () => stack?.stop());

describe("the web app is down while a job finishes", () => {
  it("gets the result once it is back: webhooks are retried, nothing is lost, the live stream resumes", async () => {
    const user = await signUp(stack.webUrl, "Patient");
    const call = api(stack.webUrl, user.token);
    const events = await openEvents(stack.webUrl, user.token);
    const submit = await call("POST", "/api/images/generate", {
      prompt: "through the outage",
      num_images: 2,
      size: "256x256",
    });
    expect(submit.status).toBe(202);
    const jobId = submit.data.job_id;
    // Wait until the generator has the job, then take the web app down.
    await waitFor(
      async () => (await call("GET", `/api/images/${jobId}/status`)).data.status === "GENERATING",
      "GENERATING",
    );
    await events.waitFor((m) => isJobEvent(m, jobId, "GENERATING"), "GENERATING on the stream");
    await stack.stopService("web");
    await events.ended; // the stream dies with the web app
    const lastSeen = events.lastId();
    expect(lastSeen).not.toBeNull();

    // The generator finishes while nobody is listening, and keeps the undelivered events.
    const { serviceKey } = secretsOf(stack.dataDir);
    await waitFor(async () => {
      const r = await fetchGenerator(`${stack.generatorUrl}/api/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${serviceKey}` },
      });
      return ((await r.json()) as { status: string }).status === "COMPLETED";
    }, "the generator to finish");
    const failedAttempts = await waitFor(async () => {
      const rows = await sql<{ n: string }>(
        stack.databaseUrl,
        "select count(*) n from generator.webhook_attempts a join generator.webhook_deliveries d on d.id = a.delivery_id where d.job_id = $1 and d.event = 'completed' and a.error is not null",
        [jobId],
      );
      return Number(rows[0]?.n) > 0 ? Number(rows[0]?.n) : null;
    }, "a failed delivery attempt");
    expect(failedAttempts).toBeGreaterThan(0);

    await stack.startService("web");
    const final = await waitFor(
      async () => {
        const r = await call("GET", `/api/images/${jobId}/status`);
        return r.data?.status === "COMPLETED" ? r.data : null;
      },
      "the result after the web app came back",
      120_000,
    );
    expect(final.progress).toBe(100);
    const result = await call("GET", `/api/images/${jobId}/result`);
    expect(result.data.images).toHaveLength(2);
    const notes = await sql(stack.databaseUrl, "select * from notifications where metadata->>'job_id' = $1", [jobId]);
    expect(notes).toHaveLength(1);

    // Reconnecting as EventSource does (Last-Event-ID) replays what happened while it was away, in order.
    const resumed = await openEvents(stack.webUrl, user.token, lastSeen);
    await resumed.waitFor((m) => m.event === "snapshot", "the snapshot after the replay");
    const replayed = resumed.messages.slice(0, -1);
    // What changed after the last event seen (SAVING may be skipped when its webhook lands after COMPLETED's).
    const replayedStatuses = replayed.filter((m) => isJobEvent(m, jobId)).map((m) => JSON.parse(m.data).status);
    expect(replayedStatuses.at(-1)).toBe("COMPLETED");
    expect(replayedStatuses.every((s) => ["GENERATING", "SAVING", "COMPLETED"].includes(s))).toBe(true);
    expect(replayed.filter((m) => m.event === "notification")).toHaveLength(1);
    resumed.close();
  });
});
