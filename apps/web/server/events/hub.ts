import { type AdminEvent, USER_EVENT_TYPES, type UserEventType } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { type Listener, listen } from "@sorami/db/listen";
import { getUserEvent, USER_EVENTS_CHANNEL, type UserEventNotice } from "@sorami/db/queries/events";
import { liveSessionIds, SESSION_ENDED_CHANNEL, type SessionEndedNotice } from "@sorami/db/queries/sessions";
import { env } from "../../env";
import { db } from "../db";

/**
 * How often the hub checks that the sessions of its open streams are still
 * live: one query per web process (not per stream), and only while a stream
 * is open. A session that is deleted (sign-out, revocation, its user
 * removed) or whose expiry is moved into the past is announced by a trigger
 * and its streams end at once; this check catches the rest — a session that
 * simply reaches its expiry, and announcements lost while the hub's
 * connection was down — within this many seconds.
 */
export const SESSION_RECHECK_SECONDS = 10;

/** One open stream, as the hub sees it. */
export type Subscriber = {
  userId: string;
  /** The sign-in session the stream was opened with: the stream ends with it. */
  sessionId: string;
  /** Opened by an admin: hears every user's job and moderation events as `admin` events. */
  admin?: boolean;
  /** An admin event (admins' streams only). */
  deliverAdmin?: (event: AdminEvent) => void;
  /** The session has ended: close the stream. */
  end: () => void;
  /** A stored event for this user, committed just now. */
  deliver: (id: number, type: UserEventType, data: unknown) => void;
  /** The hub may have missed events (its connection dropped): catch up from the table. */
  resync: () => void;
};

/**
 * The one LISTEN connection of this web process: it hears every user's
 * events, from whichever process committed them, and hands each to that
 * user's open streams here. With several web processes on one database,
 * each has its own hub, so no sticky sessions are needed.
 */
export class EventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** Admins' open streams, which hear every user's job and moderation events. */
  private readonly admins = new Set<Subscriber>();
  private listener: Listener | null = null;
  private recheckTimer: ReturnType<typeof setInterval> | null = null;
  private rechecking = false;
  private readonly sessionRecheckMs: number;

  constructor(
    private readonly databaseUrl: string,
    private readonly database: () => Database,
    options: { sessionRecheckMs?: number } = {},
  ) {
    this.sessionRecheckMs = options.sessionRecheckMs ?? SESSION_RECHECK_SECONDS * 1000;
  }

  /** Resolves once LISTEN is in place, so nothing committed after it can be missed. */
  async start(): Promise<void> {
    this.listener ??= listen(this.databaseUrl, [USER_EVENTS_CHANNEL, SESSION_ENDED_CHANNEL], {
      applicationName: "sorami-web-events",
      onMessage: (payload, channel) =>
        channel === SESSION_ENDED_CHANNEL ? this.onSessionEnded(payload) : void this.onNotice(payload),
      onReconnect: () => {
        this.resyncAll();
        // Session ends announced while the connection was down are lost: check every open stream's now.
        void this.recheckSessions();
      },
    });
    await this.listener.ready;
  }

  subscribe(sub: Subscriber): () => void {
    let set = this.subscribers.get(sub.userId);
    if (!set) {
      set = new Set();
      this.subscribers.set(sub.userId, set);
    }
    set.add(sub);
    if (sub.admin) {
      this.admins.add(sub);
    }
    if (!this.recheckTimer) {
      this.recheckTimer = setInterval(() => void this.recheckSessions(), this.sessionRecheckMs);
      this.recheckTimer.unref?.();
    }
    return () => {
      this.admins.delete(sub);
      const current = this.subscribers.get(sub.userId);
      current?.delete(sub);
      if (current?.size === 0) {
        this.subscribers.delete(sub.userId);
      }
      if (this.subscribers.size === 0 && this.recheckTimer) {
        clearInterval(this.recheckTimer);
        this.recheckTimer = null;
      }
    };
  }

  /**
   * Ends every open stream whose session is no longer live. One query for
   * all of this process's streams; a database that cannot answer ends none
   * (the streams' own reads fail and end them).
   */
  async recheckSessions(now: Date = new Date()): Promise<void> {
    if (this.rechecking || this.subscribers.size === 0) {
      return;
    }
    this.rechecking = true;
    try {
      const subs = [...this.subscribers.values()].flatMap((set) => [...set]);
      const live = await liveSessionIds(this.database(), [...new Set(subs.map((sub) => sub.sessionId))], now).catch(
        () => null,
      );
      if (!live) {
        return;
      }
      const alive = new Set(live);
      for (const sub of subs) {
        if (!alive.has(sub.sessionId)) {
          sub.end();
        }
      }
    } finally {
      this.rechecking = false;
    }
  }

  /** Streams this process holds open for one user. */
  streamsOf(userId: string): number {
    return this.subscribers.get(userId)?.size ?? 0;
  }

  async stop(): Promise<void> {
    if (this.recheckTimer) {
      clearInterval(this.recheckTimer);
      this.recheckTimer = null;
    }
    await this.listener?.stop();
    this.listener = null;
  }

  private onSessionEnded(payload: string): void {
    let notice: SessionEndedNotice;
    try {
      notice = JSON.parse(payload) as SessionEndedNotice;
    } catch {
      return;
    }
    // A copy: ending a stream unsubscribes it from this set.
    for (const sub of [...(this.subscribers.get(notice.u) ?? [])]) {
      if (sub.sessionId === notice.s) {
        sub.end();
      }
    }
  }

  private async onNotice(payload: string): Promise<void> {
    let notice: UserEventNotice;
    try {
      notice = JSON.parse(payload) as UserEventNotice;
    } catch {
      return;
    }
    const subs = this.subscribers.get(notice.u);
    const toAdmins = this.admins.size > 0 && (notice.t === undefined || ADMIN_HEARD.has(notice.t));
    if ((!subs || subs.size === 0) && !toAdmins) {
      return;
    }
    let type = notice.t;
    let data: unknown = notice.d;
    if (!type || data === undefined) {
      // Too big for NOTIFY: read it from the table.
      const row = await getUserEvent(this.database(), notice.id).catch(() => null);
      if (!row) {
        return;
      }
      type = row.type as UserEventType;
      data = row.data;
    }
    if (!USER_EVENT_TYPES.includes(type)) {
      return;
    }
    for (const sub of subs ?? []) {
      sub.deliver(notice.id, type, data);
    }
    const adminEvent = toAdmins ? adminEventOf(notice.u, type, data) : null;
    if (adminEvent) {
      for (const sub of this.admins) {
        sub.deliverAdmin?.(adminEvent);
      }
    }
  }

  private resyncAll(): void {
    for (const set of this.subscribers.values()) {
      for (const sub of set) {
        sub.resync();
      }
    }
  }
}

/** The stored events admins hear of, from every user. */
const ADMIN_HEARD: ReadonlySet<UserEventType> = new Set(["job", "moderation"]);

/** What an admin's stream is told of one user's event (ids and states, nothing of its content). */
function adminEventOf(userId: string, type: UserEventType, data: unknown): AdminEvent | null {
  if (!ADMIN_HEARD.has(type) || typeof data !== "object" || data === null) {
    return null;
  }
  const d = data as { job_id?: unknown; status?: unknown; state?: unknown };
  if (typeof d.job_id !== "string") {
    return null;
  }
  return {
    type: type === "job" ? "job" : "moderation",
    user_id: userId,
    job_id: d.job_id,
    status: type === "job" ? (d.status as AdminEvent["status"]) : null,
    moderation_state: type === "moderation" ? (d.state as AdminEvent["moderation_state"]) : null,
  };
}

const g = globalThis as unknown as { __soramiEventHub?: EventHub };

/** This process's hub, created on first use. */
export function eventHub(): EventHub {
  g.__soramiEventHub ??= new EventHub(env().databaseUrl, db);
  return g.__soramiEventHub;
}
