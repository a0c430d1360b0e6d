import { USER_EVENT_TYPES, type UserEventType } from "@sorami/contracts";
import type { Database } from "@sorami/db";
import { type Listener, listen } from "@sorami/db/listen";
import { getUserEvent, USER_EVENTS_CHANNEL, type UserEventNotice } from "@sorami/db/queries/events";
import { env } from "../../env";
import { db } from "../db";

/** One open stream, as the hub sees it. */
export type Subscriber = {
  userId: string;
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
  private listener: Listener | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly database: () => Database,
  ) {}

  /** Resolves once LISTEN is in place, so nothing committed after it can be missed. */
  async start(): Promise<void> {
    this.listener ??= listen(this.databaseUrl, USER_EVENTS_CHANNEL, {
      applicationName: "sorami-web-events",
      onMessage: (payload) => void this.onNotice(payload),
      onReconnect: () => this.resyncAll(),
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
    return () => {
      const current = this.subscribers.get(sub.userId);
      current?.delete(sub);
      if (current?.size === 0) {
        this.subscribers.delete(sub.userId);
      }
    };
  }

  /** Streams this process holds open for one user. */
  streamsOf(userId: string): number {
    return this.subscribers.get(userId)?.size ?? 0;
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
  }

  private async onNotice(payload: string): Promise<void> {
    let notice: UserEventNotice;
    try {
      notice = JSON.parse(payload) as UserEventNotice;
    } catch {
      return;
    }
    const subs = this.subscribers.get(notice.u);
    if (!subs || subs.size === 0) {
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
    for (const sub of subs) {
      sub.deliver(notice.id, type, data);
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

const g = globalThis as unknown as { __soramiEventHub?: EventHub };

/** This process's hub, created on first use. */
export function eventHub(): EventHub {
  g.__soramiEventHub ??= new EventHub(env().databaseUrl, db);
  return g.__soramiEventHub;
}
