import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { laterEvents, parseRetryAfterSeconds } from "@sorami/contracts";
import { verifyWebhook } from "@sorami/contracts/signature";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVERY_PRIORITY } from "../jobs/tasks";
import {
  deliverWebhook,
  nextAttemptDelaySeconds,
  redeliver,
  SUPERSEDE_AFTER_MS,
  scheduleDelivery,
  WEBHOOK_RETRY_JITTER,
  WEBHOOK_RETRY_SCHEDULE_SECONDS,
} from "./deliver";

const SECRET = "k".repeat(40);
let t: Awaited<ReturnType<typeof startTestDatabase>>;
let server: Server;
let base: string;
/** What the receiver answers next, per path. */
const replies = new Map<string, { status: number; headers?: Record<string, string> }>();
const received: { path: string; ok: boolean }[] = [];
/** The X-Webhook-Secret header of the last request on each path (null: none). */
const legacyHeaderOf = new Map<string, string | null>();

beforeAll(async () => {
  t = await startTestDatabase();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const headers = { get: (n: string) => (req.headers[n.toLowerCase()] as string | undefined) ?? null };
      received.push({ path: req.url ?? "", ok: verifyWebhook([SECRET], headers, body).ok });
      legacyHeaderOf.set(req.url ?? "", headers.get("x-webhook-secret"));
      const reply = replies.get(req.url ?? "") ?? { status: 200 };
      res.writeHead(reply.status, reply.headers).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await t?.stop();
});

let n = 0;
async function delivery(path: string, reply: { status: number; headers?: Record<string, string> }) {
  const id = `msg_test${++n}`;
  replies.set(path, reply);
  await t.db
    .insert(schema.webhookDeliveries)
    .values({ id, jobId: `job-${n}`, event: "completed", url: `${base}${path}`, body: "{}" });
  return id;
}
const row = async (id: string) =>
  (await t.db.select().from(schema.webhookDeliveries).where(eq(schema.webhookDeliveries.id, id)))[0];
const queuedRunAt = async (id: string) => {
  const r = await t.pool.query<{ run_at: Date }>("select run_at from generator_worker.jobs where key = $1", [
    `deliver:${id}`,
  ]);
  return r.rows[0]?.run_at ?? null;
};
const opts = { secrets: [SECRET], sendLegacySecret: false };

describe("webhook delivery", () => {
  it("delivers a signed body and records the attempt", async () => {
    const id = await delivery("/ok", { status: 204 });
    expect(await deliverWebhook(t.db, id, opts)).toBe("delivered");
    expect(await row(id)).toMatchObject({ state: "delivered", attempts: 1, lastStatusCode: 204 });
    expect(received.at(-1)).toEqual({ path: "/ok", ok: true });
    expect(await deliverWebhook(t.db, id, opts)).toBe("already-done");
  });

  it("sends the secret in X-Webhook-Secret only when the compatibility switch is on", async () => {
    const quiet = await delivery("/quiet", { status: 200 });
    expect(await deliverWebhook(t.db, quiet, opts)).toBe("delivered");
    expect(legacyHeaderOf.get("/quiet")).toBeNull();
    const legacy = await delivery("/legacy", { status: 200 });
    expect(await deliverWebhook(t.db, legacy, { ...opts, sendLegacySecret: true })).toBe("delivered");
    expect(legacyHeaderOf.get("/legacy")).toBe(SECRET);
  });

  it("retries a 5xx on the Standard Webhooks schedule", async () => {
    const id = await delivery("/down", { status: 503 });
    const before = Date.now();
    expect(await deliverWebhook(t.db, id, opts)).toBe("retry-scheduled");
    expect(await row(id)).toMatchObject({ state: "pending", attempts: 1, lastStatusCode: 503 });
    const runAt = (await queuedRunAt(id))?.getTime() ?? 0;
    const second = (WEBHOOK_RETRY_SCHEDULE_SECONDS[1] ?? 0) * 1000;
    expect(runAt - before).toBeGreaterThanOrEqual(second * (1 - WEBHOOK_RETRY_JITTER) - 50);
    expect(runAt - before).toBeLessThanOrEqual(second * (1 + WEBHOOK_RETRY_JITTER) + 1000);
    const attempts = await t.db.select().from(schema.webhookAttempts).where(eq(schema.webhookAttempts.deliveryId, id));
    expect(attempts).toHaveLength(1);
  });

  it("does not follow a redirect: it is a failure", async () => {
    const id = await delivery("/moved", { status: 302, headers: { location: `${base}/ok` } });
    expect(await deliverWebhook(t.db, id, opts)).toBe("retry-scheduled");
    expect(received.at(-1)?.path).toBe("/moved");
  });

  it("honours Retry-After when it asks for longer than the schedule", async () => {
    const id = await delivery("/busy", { status: 429, headers: { "retry-after": "120" } });
    const before = Date.now();
    await deliverWebhook(t.db, id, opts);
    expect(((await queuedRunAt(id))?.getTime() ?? 0) - before).toBeGreaterThanOrEqual(119_000);
  });

  it("stops at once on 410 Gone", async () => {
    const id = await delivery("/gone", { status: 410 });
    expect(await deliverWebhook(t.db, id, opts)).toBe("disabled");
    expect((await row(id))?.state).toBe("disabled");
  });

  it("dead-letters after the last scheduled attempt, and an admin can redeliver", async () => {
    const id = await delivery("/never", { status: 500 });
    const schedule = [0, 0, 0];
    const outcomes = [];
    for (let i = 0; i < schedule.length; i++) {
      outcomes.push(await deliverWebhook(t.db, id, { ...opts, scheduleSeconds: schedule }));
    }
    expect(outcomes).toEqual(["retry-scheduled", "retry-scheduled", "dead"]);
    expect(await row(id)).toMatchObject({ state: "dead", attempts: 3 });
    replies.set("/never", { status: 200 });
    expect(await redeliver(t.db, id)).toBe(true);
    expect(await deliverWebhook(t.db, id, opts)).toBe("delivered");
    expect(await redeliver(t.db, "msg_nope")).toBe(false);
  });
});

describe("stale progress events", () => {
  /** Two deliveries of one job: `event`, queued `ageMs` ago, and a later event queued now. */
  async function pair(event: string, later: string | null, ageMs: number) {
    const jobId = `job-stale-${++n}`;
    const id = `msg_stale${n}`;
    replies.set("/stages", { status: 200 });
    await t.db.insert(schema.webhookDeliveries).values({
      id,
      jobId,
      event,
      url: `${base}/stages`,
      body: "{}",
      createdAt: new Date(Date.now() - ageMs),
    });
    if (later) {
      await t.db
        .insert(schema.webhookDeliveries)
        .values({ id: `${id}_later`, jobId, event: later, url: `${base}/stages`, body: "{}" });
    }
    return id;
  }
  const sentTo = () => received.filter((r) => r.path === "/stages").length;

  it("skips a progress event that waited past SUPERSEDE_AFTER_MS while its job got a later one", async () => {
    const id = await pair("generating", "completed", SUPERSEDE_AFTER_MS + 5000);
    const before = sentTo();
    expect(await deliverWebhook(t.db, id, opts)).toBe("superseded");
    expect(await row(id)).toMatchObject({ state: "superseded", attempts: 0 });
    expect(sentTo()).toBe(before);
    expect(await deliverWebhook(t.db, id, opts)).toBe("already-done");
  });

  it("skips a provider's progress within a stage once a newer one of the same stage is queued", async () => {
    const older = await pair("generating:msg_a", "generating:msg_b", SUPERSEDE_AFTER_MS + 5000);
    expect(await deliverWebhook(t.db, older, opts)).toBe("superseded");
    // The stage's own first announcement is older news than a later progress within it, too.
    const entry = await pair("generating", "generating:msg_c", SUPERSEDE_AFTER_MS + 5000);
    expect(await deliverWebhook(t.db, entry, opts)).toBe("superseded");
    // And the newest progress within a stage is still sent, even when old, if nothing came after it.
    const newest = await pair("generating:msg_d", null, SUPERSEDE_AFTER_MS + 5000);
    expect(await deliverWebhook(t.db, newest, opts)).toBe("delivered");
  });

  it("still sends it when it is fresh, when nothing later exists, or when the later event is earlier", async () => {
    const cases = [
      await pair("generating", "saving", 0), // fresh: the receiver keeps up, every stage goes out
      await pair("saving", null, SUPERSEDE_AFTER_MS + 5000), // old, but the newest news
      await pair("saving", "initializing", SUPERSEDE_AFTER_MS + 5000), // the other one is older news
    ];
    const before = sentTo();
    for (const id of cases) {
      expect(await deliverWebhook(t.db, id, opts)).toBe("delivered");
    }
    expect(sentTo()).toBe(before + cases.length);
  });

  it("never skips a terminal event", async () => {
    expect(laterEvents("completed")).toEqual([]);
    expect(laterEvents("failed")).toEqual([]);
    expect(laterEvents("canceled")).toEqual([]);
    expect(laterEvents("saving")).toEqual(["completed", "failed", "canceled"]);
    const id = await pair("failed", "completed", SUPERSEDE_AFTER_MS + 5000);
    expect(await deliverWebhook(t.db, id, opts)).toBe("delivered");
  });

  it("queues delivery attempts ahead of generate jobs", async () => {
    const id = await delivery("/ok", { status: 200 });
    await t.db.transaction((tx) => scheduleDelivery(tx, id));
    const r = await t.pool.query<{ priority: number }>("select priority from generator_worker.jobs where key = $1", [
      `deliver:${id}`,
    ]);
    expect(DELIVERY_PRIORITY).toBeLessThan(0);
    expect(r.rows[0]?.priority).toBe(DELIVERY_PRIORITY);
  });
});

describe("secret rotation", () => {
  it("signs with every configured secret, so a receiver holding either one accepts", async () => {
    const id = await delivery("/rotating", { status: 200 });
    await deliverWebhook(t.db, id, { ...opts, secrets: ["n".repeat(40), SECRET] });
    expect(received.at(-1)).toEqual({ path: "/rotating", ok: true }); // the receiver only knows the old SECRET
  });
});

describe("schedule arithmetic", () => {
  it("walks the schedule with bounded jitter, then stops", () => {
    const s = WEBHOOK_RETRY_SCHEDULE_SECONDS;
    expect(nextAttemptDelaySeconds(1, s, null, () => 0.5)).toBe(5);
    expect(nextAttemptDelaySeconds(2, s, null, () => 1)).toBeCloseTo(300 * (1 + WEBHOOK_RETRY_JITTER));
    expect(nextAttemptDelaySeconds(2, s, null, () => 0)).toBeCloseTo(300 * (1 - WEBHOOK_RETRY_JITTER));
    expect(nextAttemptDelaySeconds(s.length, s, null)).toBeNull();
  });
  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfterSeconds("30")).toBe(30);
    expect(parseRetryAfterSeconds(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThanOrEqual(59);
    expect(parseRetryAfterSeconds("soon")).toBeNull();
  });
});
