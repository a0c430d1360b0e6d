import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generations, webhookEvents } from "../schema";
import { startTestDatabase } from "../testing";
import { recordEventAndLockGeneration } from "./webhooks";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
beforeAll(async () => {
  t = await startTestDatabase();
});
afterAll(async () => t?.stop());

async function job(): Promise<string> {
  const { id: userId } = await t.createUser();
  const id = randomUUID();
  await t.db.insert(generations).values({
    id,
    kind: "image",
    authorId: userId,
    prompt: "a cat",
    params: { size: "512x512", nested: { a: [1, 2] } },
    providerMetadata: { render_ms: 12 },
    completedAt: new Date("2026-01-02T03:04:05.678Z"),
  });
  return id;
}

describe("recordEventAndLockGeneration", () => {
  it("records the event and returns the row exactly as Drizzle's select does (dates, JSON, nulls)", async () => {
    const id = await job();
    const [expected] = await t.db.select().from(generations).where(eq(generations.id, id));
    const got = await t.db.transaction((tx) =>
      recordEventAndLockGeneration(tx, { id: `e-${id}`, jobId: id, status: "saving" }),
    );
    expect(got.recorded).toBe(true);
    expect(got.generation).toEqual(expected);
    expect(got.generation?.createdAt).toBeInstanceOf(Date);
    const [event] = await t.db
      .select()
      .from(webhookEvents)
      .where(eq(webhookEvents.id, `e-${id}`));
    expect([event?.jobId, event?.status]).toEqual([id, "saving"]);
  });

  it("reports a repeated event id as not recorded, without returning (or locking) the row", async () => {
    const id = await job();
    await t.db.transaction((tx) => recordEventAndLockGeneration(tx, { id: `d-${id}`, jobId: id, status: "completed" }));
    const again = await t.db.transaction((tx) =>
      recordEventAndLockGeneration(tx, { id: `d-${id}`, jobId: id, status: "completed" }),
    );
    expect(again).toEqual({ recorded: false, generation: null });
  });

  it("records an event for a job it does not know and returns no row", async () => {
    const unknown = randomUUID();
    const got = await t.db.transaction((tx) =>
      recordEventAndLockGeneration(tx, { id: `u-${unknown}`, jobId: unknown, status: "completed" }),
    );
    expect(got).toEqual({ recorded: true, generation: null });
  });

  it("holds the row lock until the transaction ends: a second locker waits for the first", async () => {
    const id = await job();
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = t.db.transaction(async (tx) => {
      await recordEventAndLockGeneration(tx, { id: `l1-${id}`, jobId: id, status: "generating" });
      order.push("first locked");
      await held;
      order.push("first done");
    });
    while (order.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const second = t.db.transaction(async (tx) => {
      await recordEventAndLockGeneration(tx, { id: `l2-${id}`, jobId: id, status: "saving" });
      order.push("second locked");
    });
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first locked", "first done", "second locked"]);
  });
});
