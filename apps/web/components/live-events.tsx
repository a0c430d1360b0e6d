"use client";

import type {
  AdminEvent,
  JobDeletedEvent,
  JobEvent,
  ModerationEvent,
  Notification,
  NotificationsReadEvent,
  SnapshotEvent,
} from "@sorami/contracts";
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from "react";

/** The typed events a page can listen to. */
export type LiveEvent =
  | { type: "snapshot"; data: SnapshotEvent }
  | { type: "job"; data: JobEvent }
  | { type: "job_deleted"; data: JobDeletedEvent }
  | { type: "notification"; data: Notification }
  | { type: "notifications_read"; data: NotificationsReadEvent }
  | { type: "moderation"; data: ModerationEvent }
  /** Admins' streams only: another user's job or file changed. */
  | { type: "admin"; data: AdminEvent };

/** "open": events arrive; "down": they don't (yet, or any more), and pages poll instead. */
export type LiveStatus = "open" | "down";

type LiveEvents = { status: LiveStatus; subscribe: (listener: (event: LiveEvent) => void) => () => void };

const LiveEventsContext = createContext<LiveEvents>({ status: "down", subscribe: () => () => {} });

const EVENT_TYPES = [
  "snapshot",
  "job",
  "job_deleted",
  "notification",
  "notifications_read",
  "moderation",
  "admin",
] as const;
/** Waits before opening a new stream after the server refused one (EventSource gives up on HTTP errors). */
const REOPEN_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * One EventSource per tab, shared by every component on the page. The
 * browser reconnects by itself after a network error, sending the last id it
 * saw; after an HTTP error (a restarting server answering 502/503) it gives
 * up, so a new stream is opened here with that id in the query.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<LiveStatus>("down");
  const listeners = useRef(new Set<(event: LiveEvent) => void>());
  const [value] = useState<LiveEvents>(() => ({
    status: "down",
    subscribe: (listener) => {
      listeners.current.add(listener);
      return () => listeners.current.delete(listener);
    },
  }));

  useEffect(() => {
    if (typeof EventSource === "undefined") {
      return;
    }
    let source: EventSource | null = null;
    let lastId: string | null = null;
    let failures = 0;
    let timer: number | undefined;
    let stopped = false;

    const open = () => {
      const url = lastId ? `/api/events?last_event_id=${encodeURIComponent(lastId)}` : "/api/events";
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        failures = 0;
        setStatus("open");
      };
      for (const type of EVENT_TYPES) {
        es.addEventListener(type, (e) => {
          const message = e as MessageEvent<string>;
          if (message.lastEventId) {
            lastId = message.lastEventId;
          }
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            return;
          }
          for (const listener of listeners.current) {
            listener({ type, data } as LiveEvent);
          }
        });
      }
      es.onerror = () => {
        setStatus("down");
        if (es.readyState !== EventSource.CLOSED || stopped) {
          return; // the browser is retrying by itself
        }
        es.close();
        const delay = REOPEN_DELAYS_MS[Math.min(failures, REOPEN_DELAYS_MS.length - 1)];
        failures++;
        timer = window.setTimeout(open, delay);
      };
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      source?.close();
    };
  }, []);

  return (
    <LiveEventsContext.Provider value={{ status, subscribe: value.subscribe }}>{children}</LiveEventsContext.Provider>
  );
}

export function useLiveEvents(): LiveEvents {
  return useContext(LiveEventsContext);
}
