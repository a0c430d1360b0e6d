import { initLogger } from "@sorami/log";
import { enableMetrics, renderMetrics } from "@sorami/metrics";
import { countOf, parseExposition, sumOf } from "@sorami/metrics/testing";
import { Logger, runOnce } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { enqueue, QUEUE_SCHEMAS } from "./queue";
import { defineTask, enqueueTask, idPayload, type TaskHandler, TaskTimeout, taskList } from "./tasks";
import { startTestDatabase } from "./testing";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
/** Every line the process's logger wrote, parsed. */
let logged: Record<string, unknown>[] = [];
beforeAll(async () => {
  await initLogger({ service: "test", write: (line) => logged.push(JSON.parse(line)) });
  await enableMetrics({ service: "test" });
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
    taskList: taskList(registry, { work, other: async () => {} }),
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
/** The lines logged while `run` ran. */
async function linesOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  logged = [];
  await run();
  return logged;
}

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
    await enqueueTask(t.db, registry.work, { jobId: "b" });
    const lines = await linesOf(() =>
      drain(async (_payload, ctx) => {
        ctx.log("info", "working", { step: 1 });
        ctx.logger.info("still working");
        throw new Error("database away");
      }),
    );
    expect(await settled("work:b")).toMatchObject({
      attempts: 1,
      last_error: expect.stringContaining("database away"),
    });
    const run = { service: "test", queue: "web_worker", task: "test-work", job_id: "b", attempt: 1 };
    expect(lines).toContainEqual(expect.objectContaining({ ...run, level: "info", event: "working", step: 1 }));
    expect(lines).toContainEqual(expect.objectContaining({ ...run, level: "info", msg: "still working" }));
    const failed = lines.find((l) => l.event === "failed");
    expect(failed).toMatchObject({ ...run, level: "warn", retry: true, queue_job_id: expect.any(String) });
    expect(failed?.err).toMatchObject({ message: "database away" });
  });

  it("ends the job at once on an error its definition does not retry", async () => {
    await enqueueTask(t.db, registry.work, { jobId: "c" });
    const lines = await linesOf(() =>
      drain(async () => {
        throw new Refused("the generator refused it");
      }),
    );
    expect(await settled("work:c")).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", job_id: "c", event: "failed", retry: false }),
    );
  });

  it("aborts a run past its time limit and counts it as a failed attempt", async () => {
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
  });

  it("drops a queued payload that does not match its schema (it could never become valid)", async () => {
    await enqueue(t.db, QUEUE_SCHEMAS.web, registry.work.name, { job: 1 }, { jobKey: "work:bad" });
    let ran = false;
    const lines = await linesOf(() =>
      drain(async () => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(await settled("work:bad")).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ task: "test-work", event: "invalid_payload" }));
  });

  it("runs each handler inside the registry's wrapper, with the run's context", async () => {
    await enqueueTask(t.db, registry.work, { jobId: "w" });
    const order: string[] = [];
    await runOnce({
      pgPool: t.pool,
      schema: QUEUE_SCHEMAS.web,
      logger: quiet,
      taskList: taskList(
        registry,
        { work: async () => void order.push("handler"), other: async () => {} },
        {
          around: async (ctx, run) => {
            order.push(`before ${ctx.attempt}`);
            await run();
            order.push("after");
          },
        },
      ),
    });
    expect(order).toEqual(["before 1", "handler", "after"]);
  });

  it("counts runs by outcome, and observes their duration and how long they waited", async () => {
    const scrape = async () => parseExposition((await renderMetrics()).body);
    const labels = { queue: "web_worker", task: "test-work" };
    const before = await scrape();
    await enqueueTask(t.db, registry.work, { jobId: "m1" });
    await enqueueTask(t.db, registry.work, { jobId: "m2" });
    await drain(async ({ jobId }) => {
      if (jobId === "m2") {
        throw new Refused("no");
      }
    });
    // prom-client writes the event-loop mean as NaN until its first sample (every 20 ms), which the parser refuses.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await scrape();
    const delta = (name: string, extra: Record<string, string>) =>
      sumOf(after, name, { ...labels, ...extra }) - sumOf(before, name, { ...labels, ...extra });
    expect(delta("sorami_queue_tasks_total", { outcome: "ok" })).toBe(1);
    expect(delta("sorami_queue_tasks_total", { outcome: "failed" })).toBe(1);
    expect(countOf(after, "sorami_queue_task_duration_seconds", labels)).toBe(
      countOf(before, "sorami_queue_task_duration_seconds", labels) + 2,
    );
    expect(countOf(after, "sorami_queue_wait_seconds", labels)).toBe(
      countOf(before, "sorami_queue_wait_seconds", labels) + 2,
    );
  });
});
