import { Logger, runOnce } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { enqueue, QUEUE_SCHEMAS } from "./queue";
import { defineTask, enqueueTask, idPayload, type TaskHandler, TaskTimeout, taskList } from "./tasks";
import { startTestDatabase } from "./testing";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

class Refused extends Error {}
const registry = {
  work: defineTask({
    name: "test-work",
    queue: QUEUE_SCHEMAS.web,
    payload: idPayload("jobId"),
    maxAttempts: 3,
    timeoutMs: 300,
    jobKey: (p) => `work:${p.jobId}`,
    retryable: (error) => !(error instanceof Refused),
  }),
  other: defineTask({
    name: "test-other",
    queue: QUEUE_SCHEMAS.web,
    payload: z.object({}),
    maxAttempts: 1,
    timeoutMs: 1000,
  }),
};
const quiet = new Logger(() => () => {});

/** Runs every queued job once, through the real queue, with these handlers. */
async function drain(work: TaskHandler<{ jobId: string }>) {
  await runOnce({
    pgPool: t.pool,
    schema: QUEUE_SCHEMAS.web,
    logger: quiet,
    taskList: taskList("test", registry, { work, other: async () => {} }),
  });
}
type QueuedJob = { attempts: number; last_error: string | null; locked_at: Date | null };
const queued = async (key: string) =>
  (await t.pool.query<QueuedJob>("select attempts, last_error, locked_at from web_worker.jobs where key = $1", [key]))
    .rows[0];
/**
 * The queued job once graphile-worker has recorded how its run ended (it
 * records that after the run, without the run waiting for it).
 */
async function settled(key: string): Promise<QueuedJob | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = await queued(key);
    if (!job?.locked_at || Date.now() > deadline) {
      return job;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
const lines = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map((c) => JSON.parse(String(c[0])));

describe("the task runner", () => {
  it("hands the handler its parsed payload and attempt, and finishes the job", async () => {
    await enqueueTask(t.db, registry.work, { jobId: "a" });
    const seen: unknown[] = [];
    await drain(async (payload, ctx) => {
      seen.push([payload, ctx.attempt, ctx.signal.aborted]);
    });
    expect(seen).toEqual([[{ jobId: "a" }, 1, false]]);
    expect(await settled("work:a")).toBeUndefined();
  });

  it("refuses to enqueue a payload its schema refuses: no task is queued by a wrong call", async () => {
    await expect(enqueueTask(t.db, registry.work, { jobId: "" })).rejects.toThrow();
    await expect(queued("work:")).resolves.toBeUndefined();
  });

  it("gives a retryable failure back to the queue, and logs task, ids and attempt as JSON", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await enqueueTask(t.db, registry.work, { jobId: "b" });
      await drain(async () => {
        throw new Error("database away");
      });
      expect(await settled("work:b")).toMatchObject({
        attempts: 1,
        last_error: expect.stringContaining("database away"),
      });
      expect(lines(warn)).toContainEqual(
        expect.objectContaining({
          level: "warn",
          service: "test",
          task: "test-work",
          jobId: "b",
          attempt: 1,
          event: "failed",
          retry: true,
        }),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("ends the job at once on an error its definition does not retry", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await enqueueTask(t.db, registry.work, { jobId: "c" });
      await drain(async () => {
        throw new Refused("the generator refused it");
      });
      expect(await settled("work:c")).toBeUndefined();
      expect(lines(error)).toContainEqual(expect.objectContaining({ jobId: "c", event: "failed", retry: false }));
    } finally {
      error.mockRestore();
    }
  });

  it("aborts a run past its time limit and counts it as a failed attempt", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await enqueueTask(t.db, registry.work, { jobId: "d" });
      let reason: unknown;
      await drain(
        (_payload, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener("abort", () => {
              reason = ctx.signal.reason;
              resolve(undefined);
            });
          }),
      );
      expect(reason).toBeInstanceOf(TaskTimeout);
      expect(await settled("work:d")).toMatchObject({
        attempts: 1,
        last_error: expect.stringContaining("took longer"),
      });
    } finally {
      warn.mockRestore();
    }
  });

  it("drops a queued payload that does not match its schema (it could never become valid)", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await enqueue(t.db, QUEUE_SCHEMAS.web, registry.work.name, { job: 1 }, { jobKey: "work:bad" });
      let ran = false;
      await drain(async () => {
        ran = true;
      });
      expect(ran).toBe(false);
      expect(await settled("work:bad")).toBeUndefined();
      expect(lines(error)).toContainEqual(expect.objectContaining({ task: "test-work", event: "invalid_payload" }));
    } finally {
      error.mockRestore();
    }
  });
});
