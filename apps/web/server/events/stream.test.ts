import { randomUUID } from "node:crypto";
import { readSse, type SseMessage, type WebhookPayloadOf } from "@sorami/contracts";
import { schema } from "@sorami/db";
import { startTestDatabase } from "@sorami/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNotification } from "../notifications";
import type { SessionRef, SessionUser } from "../session";
import { applyWebhookEvent } from "../webhooks/apply";
import { EventHub } from "./hub";
import { EVENTS_MAX_STREAMS_PER_USER, openEventStream } from "./stream";

let t: Awaited<ReturnType<typeof startTestDatabase>>;
let hub: EventHub;
beforeAll(async () => {
  t = await startTestDatabase();
  hub = new EventHub(t.url, () => t.db);
});
afterAll(async () => {
  await hub?.stop();
  await t?.stop();
});

const user = (): Promise<SessionUser> => t.createUser();
async function job(authorId: string): Promise<string> {
  const id = randomUUID();
  await t.db.insert(schema.generations).values({ id, kind: "image", authorId, prompt: "a cat", params: {} });
  return id;
}
const completed = (jobId: string): Extract<WebhookPayloadOf<"image">, { status: "completed" }> => ({
  job_id: jobId,
  status: "completed",
  data: {
    images: [{ file_path: `images/${jobId}/image_1.png`, format: "PNG", size_bytes: 10, dimensions: "8x8" }],
  },
});
const apply = (payload: WebhookPayloadOf<"image">) => applyWebhookEvent(t.db, "image", randomUUID(), payload);

/** A sign-in session of the user, as better-auth stores it (a week, unless told). */
async function signIn(u: SessionUser, expiresAt = new Date(Date.now() + 7 * 24 * 3600_000)): Promise<SessionRef> {
  const id = randomUUID();
  await t.db.insert(schema.sessions).values({ id, token: randomUUID(), userId: u.id, expiresAt });
  return { id, expiresAt };
}

/** An open stream and a reader that waits for the next message, failing rather than hanging. */
async function connect(
  u: SessionUser,
  lastEventId: number | null = null,
  session?: SessionRef,
  through: EventHub = hub,
) {
  const controller = new AbortController();
  const res = await openEventStream(t.db, through, u, session ?? (await signIn(u)), lastEventId, controller.signal);
  const body = res.body;
  if (!body) {
    throw new Error("no body");
  }
  const messages = readSse(body);
  const next = async (): Promise<SseMessage> => {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("no event within 10 s")), 10_000).unref(),
    );
    const r = await Promise.race([messages.next(), timeout]);
    if (r.done) {
      throw new Error("stream ended");
    }
    return r.value;
  };
  /** Messages up to and including the first one `until` accepts. */
  const collect = async (until: (m: SseMessage) => boolean) => {
    const seen: SseMessage[] = [];
    for (;;) {
      const m = await next();
      seen.push(m);
      if (until(m)) {
        return seen;
      }
    }
  };
  /** Resolves once the server has ended the stream (any message still unread is skipped). */
  const ended = async () => {
    for (;;) {
      try {
        await next();
      } catch (error) {
        if ((error as Error).message === "stream ended") {
          return;
        }
        throw error;
      }
    }
  };
  return { res, next, collect, ended, close: () => controller.abort() };
}
const data = (m: SseMessage) => JSON.parse(m.data);

describe("the live event stream", () => {
  it("starts with a snapshot, then carries each change of the user's jobs and the new notification", async () => {
    const u = await user();
    const id = await job(u.id);
    const s = await connect(u);
    expect(s.res.headers.get("content-type")).toContain("text/event-stream");
    const snapshot = await s.next();
    expect(snapshot.event).toBe("snapshot");
    expect(data(snapshot).jobs.map((j: { job_id: string }) => j.job_id)).toEqual([id]);

    await apply({ job_id: id, status: "generating", progress: 40 });
    const generating = await s.next();
    expect([generating.event, data(generating).status, data(generating).progress]).toEqual(["job", "GENERATING", 40]);
    await apply(completed(id));
    const done = await s.collect((m) => m.event === "notification");
    expect(done.map((m) => m.event)).toEqual(["job", "notification"]);
    expect(data(done[0] as SseMessage).status).toBe("COMPLETED");
    expect(data(done[1] as SseMessage)).toMatchObject({ type: "IMAGE_COMPLETED", metadata: { job_id: id } });
    // Ids only go up, so a reconnect can say where it stopped.
    const ids = [generating, ...done].map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    s.close();
  });

  it("carries nothing of another user's jobs", async () => {
    const a = await user();
    const b = await user();
    const sb = await connect(b);
    expect((await sb.next()).event).toBe("snapshot");
    const aJob = await job(a.id);
    await apply(completed(aJob));
    const bJob = await job(b.id);
    await apply({ job_id: bJob, status: "generating", progress: 10 });
    // The first event b sees is its own job's: a's came before it and were never sent.
    const first = await sb.next();
    expect(data(first).job_id).toBe(bJob);
    sb.close();
  });

  it("tells an admin's stream of every user's job changes, as admin events without ids, and no one else's", async () => {
    const owner = await user();
    const bystander = await user();
    const admin = { ...(await user()), role: "admin" };
    const sa = await connect(admin);
    const sb = await connect(bystander);
    expect((await sa.next()).event).toBe("snapshot");
    expect((await sb.next()).event).toBe("snapshot");
    const id = await job(owner.id);
    await apply({ job_id: id, status: "generating", progress: 30 });
    const heard = await sa.next();
    expect([heard.event, heard.id]).toEqual(["admin", null]);
    expect(data(heard)).toEqual({
      type: "job",
      user_id: owner.id,
      job_id: id,
      status: "GENERATING",
      moderation_state: null,
    });
    // The admin's own job is both: its own stored event, and an admin event.
    const own = await job(admin.id);
    await apply({ job_id: own, status: "generating", progress: 30 });
    const both = [await sa.next(), await sa.next()];
    expect(both.map((m) => m.event).sort()).toEqual(["admin", "job"]);
    expect(both.map((m) => data(m).job_id)).toEqual([own, own]);
    // A user hears of its own jobs only: the bystander's first event is its own job's.
    const mine = await job(bystander.id);
    await apply({ job_id: mine, status: "generating", progress: 5 });
    const first = await sb.next();
    expect([first.event, data(first).job_id]).toEqual(["job", mine]);
    sa.close();
    sb.close();
  });

  it("replays what a client missed after its Last-Event-ID, then goes on live", async () => {
    const u = await user();
    const id = await job(u.id);
    const s1 = await connect(u);
    await s1.next(); // snapshot
    await apply({ job_id: id, status: "initializing", progress: 5 });
    const seen = await s1.next();
    s1.close();

    // While the client is away: two more changes and a notification.
    await apply({ job_id: id, status: "generating", progress: 50 });
    await apply(completed(id));

    const s2 = await connect(u, Number(seen.id));
    const replay = await s2.collect((m) => m.event === "snapshot");
    expect(replay.map((m) => [m.event, m.event === "job" ? data(m).status : null])).toEqual([
      ["job", "GENERATING"],
      ["job", "COMPLETED"],
      ["notification", null],
      ["snapshot", null],
    ]);
    // Live again: marking the notification read is heard at once.
    const note = data(replay[2] as SseMessage);
    await readNotification(t.db, u, note.id);
    const read = await s2.next();
    expect([read.event, data(read)]).toEqual(["notifications_read", { ids: [note.id], unread_count: 0 }]);
    s2.close();
  });

  it("sends an event too big for NOTIFY whole, read from the table", async () => {
    const u = await user();
    const id = await job(u.id);
    const s = await connect(u);
    await s.next();
    const reason = `Provider refused: ${"x".repeat(9000)}`;
    await apply({ job_id: id, status: "failed", error_message: reason });
    const [failed, note] = await s.collect((m) => m.event === "notification");
    expect(data(failed as SseMessage).error).toHaveLength(1000); // cut in the job event…
    expect(data(note as SseMessage).message).toBe(reason); // …whole in the notification
    s.close();
  });

  it("sends nothing for a change that was rolled back", async () => {
    const u = await user();
    const id = await job(u.id);
    const s = await connect(u);
    await s.next();
    await expect(apply({ ...completed(id), data: { images: [] } })).rejects.toThrow();
    await apply({ job_id: id, status: "generating", progress: 20 });
    expect(data(await s.next()).status).toBe("GENERATING");
    s.close();
  });

  it("catches up after its database connection drops, from the snapshot and the stored events", async () => {
    const u = await user();
    const id = await job(u.id);
    const s = await connect(u);
    await s.next();
    // Cut the hub's LISTEN connection, and change the job before it is back.
    await t.db.execute(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sorami-web-events' and datname = current_database()",
    );
    await apply({ job_id: id, status: "saving", progress: 90 });
    const caughtUp = await s.collect(
      (m) => m.event === "snapshot" || (m.event === "job" && data(m).status === "SAVING"),
    );
    const last = caughtUp.at(-1) as SseMessage;
    const status = last.event === "snapshot" ? data(last).jobs[0].status : data(last).status;
    expect(status).toBe("SAVING");
    s.close();
  });

  it(`refuses more than ${EVENTS_MAX_STREAMS_PER_USER} streams of one user in one process`, async () => {
    const u = await user();
    const streams = await Promise.all(Array.from({ length: EVENTS_MAX_STREAMS_PER_USER }, () => connect(u)));
    const session = await signIn(u);
    await expect(openEventStream(t.db, hub, u, session, null, new AbortController().signal)).rejects.toMatchObject({
      code: "rate_limited",
    });
    for (const s of streams) {
      s.close();
    }
    const again = await connect(u);
    expect((await again.next()).event).toBe("snapshot");
    again.close();
  });
});

describe("a stream ends with its session", () => {
  /** Opens a stream on its own session and a second one on another session of the same user. */
  async function twoSessions() {
    const u = await user();
    const session = await signIn(u);
    const mine = await connect(u, null, session);
    const other = await connect(u);
    expect((await mine.next()).event).toBe("snapshot");
    expect((await other.next()).event).toBe("snapshot");
    return { u, session, mine, other };
  }
  /** The ended stream heard nothing more; the user's other session still hears the next change. */
  async function onlyTheOtherHears(u: SessionUser, other: Awaited<ReturnType<typeof connect>>) {
    const id = await job(u.id);
    await apply({ job_id: id, status: "generating", progress: 30 });
    expect(data(await other.next())).toMatchObject({ job_id: id, status: "GENERATING" });
    other.close();
  }

  it("when the session is deleted (sign-out, revocation)", async () => {
    const { u, session, mine, other } = await twoSessions();
    await t.db.delete(schema.sessions).where(eq(schema.sessions.id, session.id));
    await mine.ended();
    await onlyTheOtherHears(u, other);
  });

  it("when its expiry is moved into the past", async () => {
    const { u, session, mine, other } = await twoSessions();
    await t.db
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.sessions.id, session.id));
    await mine.ended();
    await onlyTheOtherHears(u, other);
  });

  it("but not when better-auth extends it", async () => {
    const { u, session, mine, other } = await twoSessions();
    await t.db
      .update(schema.sessions)
      .set({ expiresAt: new Date(Date.now() + 8 * 24 * 3600_000) })
      .where(eq(schema.sessions.id, session.id));
    await hub.recheckSessions();
    const id = await job(u.id);
    await apply({ job_id: id, status: "generating", progress: 30 });
    expect(data(await mine.next())).toMatchObject({ job_id: id, status: "GENERATING" });
    mine.close();
    other.close();
  });

  it("when its user is removed (every session of the user goes)", async () => {
    const u = await user();
    const a = await connect(u);
    const b = await connect(u);
    await a.next();
    await b.next();
    await t.db.delete(schema.users).where(eq(schema.users.id, u.id));
    await a.ended();
    await b.ended();
  });

  it("when the session reaches its expiry, found by the periodic check", async () => {
    const quick = new EventHub(t.url, () => t.db, { sessionRecheckMs: 200 });
    try {
      const u = await user();
      const s = await connect(u, null, await signIn(u, new Date(Date.now() + 1500)), quick);
      expect((await s.next()).event).toBe("snapshot");
      await s.ended();
    } finally {
      await quick.stop();
    }
  });

  it("when it ended while the hub's connection was down (the announcement is lost)", async () => {
    // A check interval no test waits for: only the check made on reconnecting can end this stream.
    const slow = new EventHub(t.url, () => t.db, { sessionRecheckMs: 3600_000 });
    try {
      const u = await user();
      const session = await signIn(u);
      const s = await connect(u, null, session, slow);
      expect((await s.next()).event).toBe("snapshot");
      await t.db.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sorami-web-events'",
      );
      await t.db.delete(schema.sessions).where(eq(schema.sessions.id, session.id));
      await s.ended();
    } finally {
      await slow.stop();
    }
  });
});
