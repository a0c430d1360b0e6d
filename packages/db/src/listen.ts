import { sql } from "drizzle-orm";
import { type Backoff, backoffDelay } from "./backoff";
import type { Tx } from "./client";
import { GatedClient } from "./gate";

/**
 * Waits before listening again after the connection dropped: 500 ms first (a
 * restart is back within a second or two, and events missed meanwhile are
 * caught up from tables anyway), doubling to at most 10 s, so a long outage
 * costs one attempt per 10 s and the listener is back at most 10 s after the
 * database. The connection itself also passes the process's gate (gate.ts).
 */
export const LISTEN_RECONNECT_BACKOFF: Backoff = { firstMs: 500, maxMs: 10_000 };

export type Listener = {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  stop: () => Promise<void>;
};

/**
 * LISTENs on one channel (or several) on a connection of its own, and comes
 * back by itself after the connection drops. Notifications sent while it was away
 * are lost (PostgreSQL keeps none for absent listeners), so `onReconnect`
 * runs after every LISTEN but the first: the place to catch up from tables.
 */
export function listen(
  databaseUrl: string,
  channel: string | readonly string[],
  options: {
    applicationName: string;
    onMessage: (payload: string, channel: string) => void;
    onReconnect?: () => void;
  },
): Listener {
  const channels = typeof channel === "string" ? [channel] : [...channel];
  for (const name of channels) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
      throw new Error(`Invalid channel name: ${name}`);
    }
  }
  let client: GatedClient | null = null;
  let stopped = false;
  let connectedOnce = false;
  /** Failed connections since the last LISTEN that held. */
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connect = async () => {
    if (stopped) {
      return;
    }
    const c = new GatedClient({ connectionString: databaseUrl, application_name: options.applicationName });
    let failed = false;
    const retry = () => {
      if (failed) {
        return;
      }
      failed = true;
      if (client === c) {
        client = null;
      }
      c.end().catch(() => {});
      if (!stopped) {
        failures++;
        setTimeout(() => void connect(), backoffDelay(failures, LISTEN_RECONNECT_BACKOFF)).unref();
      }
    };
    c.on("notification", (msg) => {
      if (channels.includes(msg.channel) && msg.payload) {
        options.onMessage(msg.payload, msg.channel);
      }
    });
    c.on("error", retry);
    c.on("end", retry);
    try {
      await c.connect();
      await c.query(channels.map((name) => `LISTEN ${name}`).join("; "));
      if (stopped) {
        failed = true;
        await c.end().catch(() => {});
        return;
      }
      client = c;
      failures = 0;
      if (connectedOnce) {
        options.onReconnect?.();
      }
      connectedOnce = true;
      markReady();
    } catch {
      retry();
    }
  };
  void connect();
  return {
    ready,
    stop: async () => {
      stopped = true;
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/** Sends `payload` to every listener of `channel`, at the commit of the caller's transaction (or now). */
export async function notify(db: Tx, channel: string, payload: string): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
