import {
  AppError,
  EVENTS_HEARTBEAT_SECONDS,
  EVENTS_REPLAY_LIMIT,
  EVENTS_RETRY_MS,
  EVENTS_SNAPSHOT_LIMIT,
  EVENTS_SNAPSHOT_RECENT_MINUTES,
  type SnapshotEvent,
  type UserEventType,
} from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { latestUserEventId, listUserEventsAfter } from "@sorami/db/queries/events";
import { listLiveGenerationsForOwner } from "@sorami/db/queries/generations";
import { countUnreadNotifications, listUnreadNotifications } from "@sorami/db/queries/notifications";
import { toJobEvent } from "../jobs/present";
import { log } from "../log";
import { toNotification } from "../notifications";
import type { SessionRef, SessionUser } from "../session";
import type { EventHub } from "./hub";

/** Streams one user may hold open in one web process (tabs, devices); more is a client bug or abuse. */
export const EVENTS_MAX_STREAMS_PER_USER = 20;
/** Retry-After when a user has EVENTS_MAX_STREAMS_PER_USER open: a closed tab frees its stream within seconds. */
export const EVENTS_STREAMS_RETRY_AFTER_SECONDS = 5;
/** Ids remembered per stream to send each stored event once (replay and live may overlap). */
const SENT_IDS_REMEMBERED = 1000;

/**
 * The user's state as one consistent read: unfinished and recent jobs,
 * unread notifications, and the newest event id they reflect.
 */
export async function buildSnapshot(db: Database, userId: string): Promise<SnapshotEvent> {
  return db.transaction(
    async (tx) => {
      const since = new Date(Date.now() - EVENTS_SNAPSHOT_RECENT_MINUTES * 60_000);
      const lastId = await latestUserEventId(tx, userId);
      const jobs = await listLiveGenerationsForOwner(tx, userId, since, EVENTS_SNAPSHOT_LIMIT);
      const unread = await countUnreadNotifications(tx, userId);
      const notifications = await listUnreadNotifications(tx, userId, EVENTS_SNAPSHOT_LIMIT);
      return {
        jobs: jobs.map(toJobEvent),
        unread_count: unread,
        notifications: notifications.map(toNotification),
        last_event_id: lastId === null ? null : String(lastId),
      };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

function frame(id: number | null, type: string, data: unknown): string {
  return `${id === null ? "" : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Opens the signed-in user's event stream. The hub subscription starts
 * before the snapshot is read, so whatever commits after the snapshot
 * arrives live; events heard while the snapshot and replay are being sent
 * wait in a buffer and follow them, each id at most once. The stream ends
 * when `session` does (signed out, revoked, expired: see the hub).
 */
export async function openEventStream(
  db: Database,
  hub: EventHub,
  user: SessionUser,
  session: SessionRef,
  lastEventId: number | null,
  signal: AbortSignal,
): Promise<Response> {
  if (hub.streamsOf(user.id) >= EVENTS_MAX_STREAMS_PER_USER) {
    throw new AppError("rate_limited", `At most ${EVENTS_MAX_STREAMS_PER_USER} event streams at once`, {
      headers: { "Retry-After": String(EVENTS_STREAMS_RETRY_AFTER_SECONDS) },
    });
  }
  await hub.start();

  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  let syncing = false;
  let resyncWanted = false;
  let lastId = lastEventId;
  const sent = new Set<number>();
  const pending: { id: number; type: UserEventType; data: unknown }[] = [];
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const write = (chunk: string) => {
    if (closed || !controller) {
      return;
    }
    try {
      controller.enqueue(encoder.encode(chunk));
    } catch {
      close();
    }
  };
  const send = (id: number, type: string, data: unknown) => {
    if (sent.has(id)) {
      return;
    }
    sent.add(id);
    if (sent.size > SENT_IDS_REMEMBERED) {
      sent.delete(sent.values().next().value as number);
    }
    if (lastId === null || id > lastId) {
      lastId = id;
    }
    write(frame(id, type, data));
  };

  const close = () => {
    if (closed) {
      return;
    }
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    signal.removeEventListener("abort", close);
    try {
      controller?.close();
    } catch {}
  };

  /** Snapshot, then the stored events after the client's last one, then whatever arrived meanwhile. */
  const sync = async (): Promise<void> => {
    syncing = true;
    try {
      do {
        resyncWanted = false;
        const snapshot = await buildSnapshot(db, user.id);
        const snapshotId = snapshot.last_event_id === null ? null : Number(snapshot.last_event_id);
        if (lastId !== null && snapshotId !== null && snapshotId > lastId) {
          // Events the client missed: replayed so it sees what happened (new notifications), not just the end state.
          for (const row of await listUserEventsAfter(db, user.id, lastId, EVENTS_REPLAY_LIMIT)) {
            if (row.id > snapshotId) {
              break;
            }
            sent.add(row.id);
            write(frame(row.id, row.type, row.data));
          }
        }
        write(frame(snapshotId, "snapshot", snapshot));
        if (snapshotId !== null) {
          sent.add(snapshotId);
          if (lastId === null || snapshotId > lastId) {
            lastId = snapshotId;
          }
        }
      } while (resyncWanted && !closed);
      syncing = false;
      for (const e of pending.splice(0)) {
        send(e.id, e.type, e.data);
      }
    } catch (error) {
      // The database is away: end the stream; the client reconnects with its Last-Event-ID.
      syncing = false;
      log().warn({ err: error }, "event stream sync failed; closing it");
      close();
    }
  };

  const unsubscribe = hub.subscribe({
    userId: user.id,
    sessionId: session.id,
    // The role the stream was opened with: a role change ends it (queries/admin-users.ts), and it reopens.
    admin: user.role === "admin",
    deliverAdmin: (event) => {
      if (!closed && !syncing) {
        write(frame(null, "admin", event));
      }
    },
    end: () => close(),
    deliver: (id, type, data) => {
      if (closed) {
        return;
      }
      if (syncing) {
        pending.push({ id, type, data });
      } else {
        send(id, type, data);
      }
    },
    resync: () => {
      if (closed) {
        return;
      }
      if (syncing) {
        resyncWanted = true;
      } else {
        void sync();
      }
    },
  });

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      write(`retry: ${EVENTS_RETRY_MS}\n: connected\n\n`);
    },
    cancel() {
      close();
    },
  });
  signal.addEventListener("abort", close);
  heartbeat = setInterval(() => write(": ping\n\n"), EVENTS_HEARTBEAT_SECONDS * 1000);
  heartbeat.unref?.();
  void sync();

  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold events back in its buffer.
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
