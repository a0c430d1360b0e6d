import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, fetchChecked, signUp, type TestUser } from "../support/client";
import { isJobEvent, openEvents } from "../support/events";
import { type Stack, startStack } from "../support/stack";

const STAGE_ORDER = ["INITIALIZING", "GENERATING", "SAVING", "COMPLETED"];

let stack: Stack;
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  stack = await startStack({ env: { LOCAL_PROVIDER_DELAY_MS: "600" } });
  alice = await signUp(stack.webUrl, "Alice");
  bob = await signUp(stack.webUrl, "Bob");
});
afterAll(async () => stack?.stop());

describe("GET /api/events through the running web app", () => {
  it("refuses a request with no session", async () => {
    const res = await fetchChecked(`${stack.webUrl}/api/events`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  it("refuses a malformed Last-Event-ID, naming it", async () => {
    const res = await fetchChecked(`${stack.webUrl}/api/events?last_event_id=abc`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe("last_event_id");
  });

  it("pushes every stage of a job as it happens, then its notification; another user hears nothing", async () => {
    const a = await openEvents(stack.webUrl, alice.token);
    const b = await openEvents(stack.webUrl, bob.token);
    expect(a.status).toBe(200);
    await a.waitFor((m) => m.event === "snapshot", "alice's snapshot");
    await b.waitFor((m) => m.event === "snapshot", "bob's snapshot");

    const submit = await api(stack.webUrl, alice.token)("POST", "/api/images/generate", {
      prompt: "a live lighthouse",
      num_images: 1,
      size: "256x256",
    });
    expect(submit.status).toBe(202);
    const jobId = submit.data.job_id;
    await a.waitFor((m) => m.event === "notification", "the notification");
    const statuses = a.messages.filter((m) => isJobEvent(m, jobId)).map((m) => JSON.parse(m.data).status);
    // Stages arrive as events of their own (nothing held back by buffering or compression), always forward.
    // A stage may be missing: its webhook can land after the next one's and is then ignored as backwards.
    expect(statuses.at(-1)).toBe("COMPLETED");
    // Progress before the end (a stage can be skipped only when deliveries back up: see SUPERSEDE_AFTER_MS).
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(statuses).toEqual(STAGE_ORDER.filter((s) => statuses.includes(s)));
    expect(new Set(statuses).size).toBe(statuses.length);
    const note = JSON.parse((a.messages.find((m) => m.event === "notification") ?? { data: "{}" }).data);
    expect(note).toMatchObject({ type: "IMAGE_COMPLETED", metadata: { job_id: jobId } });
    expect(b.messages.map((m) => m.event)).toEqual(["snapshot"]);
    a.close();
    b.close();
  });
});
