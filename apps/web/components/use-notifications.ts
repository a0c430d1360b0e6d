"use client";

import type { NotificationList } from "@sorami/contracts";
import { useCallback, useEffect, useState } from "react";
import {
  ApiError,
  isAbortError,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from "@/lib/api-client";
import { type LiveEvent, useLiveEvents } from "./live-events";

/** Polling interval for the list, used only while the live stream is down. */
const POLL_MS = 10_000;

/** The list after one live event; new notifications go on top, reads are applied by id. */
function applyEvent(d: NotificationList, event: LiveEvent): NotificationList {
  if (event.type === "notification") {
    if (d.notifications.some((n) => n.id === event.data.id)) {
      return d;
    }
    return {
      notifications: [event.data, ...d.notifications],
      unread_count: d.unread_count + (event.data.read_at ? 0 : 1),
    };
  }
  if (event.type === "notifications_read") {
    const ids = event.data.ids;
    const now = new Date().toISOString();
    return {
      notifications: d.notifications.map((n) =>
        n.read_at || (ids !== null && !ids.includes(n.id)) ? n : { ...n, read_at: now },
      ),
      unread_count: event.data.unread_count,
    };
  }
  return d;
}

/**
 * The user's notifications, kept current by the live stream (new ones, and
 * reads made in other tabs); reloaded whole when the stream (re)connects and
 * polled while it is down.
 */
export function useNotifications() {
  const [data, setData] = useState<NotificationList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useLiveEvents();

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const next = await listNotifications(signal);
      if (!signal?.aborted) {
        setData(next);
        setError(null);
      }
    } catch (e) {
      if (!isAbortError(e)) {
        setError(e instanceof ApiError ? e.message : "Could not load notifications.");
      }
    }
  }, []);

  useEffect(
    () =>
      live.subscribe((event) => {
        // A snapshot means the stream (re)connected: whatever was missed is in a fresh list.
        if (event.type === "snapshot") {
          void load();
        } else {
          setData((d) => (d ? applyEvent(d, event) : d));
        }
      }),
    [live.subscribe, load],
  );

  const streamOpen = live.status === "open";
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    if (streamOpen) {
      return () => controller.abort();
    }
    // A hidden tab does not need fresh counts; it catches up when shown again.
    const poll = () => {
      if (document.visibilityState === "visible") {
        void load(controller.signal);
      }
    };
    const timer = window.setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", poll);
    return () => {
      controller.abort();
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", poll);
    };
  }, [streamOpen, load]);

  const markRead = useCallback(async (id: string) => {
    const now = new Date().toISOString();
    setData((d) => {
      if (!d) {
        return d;
      }
      const target = d.notifications.find((n) => n.id === id);
      if (!target || target.read_at) {
        return d;
      }
      return {
        notifications: d.notifications.map((n) => (n.id === id ? { ...n, read_at: now } : n)),
        unread_count: Math.max(0, d.unread_count - 1),
      };
    });
    try {
      await markNotificationRead(id);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not mark the notification read.");
    }
  }, []);

  const markAllRead = useCallback(async () => {
    const now = new Date().toISOString();
    setData((d) =>
      d ? { notifications: d.notifications.map((n) => ({ ...n, read_at: n.read_at ?? now })), unread_count: 0 } : d,
    );
    try {
      await markAllNotificationsRead();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not mark notifications read.");
    }
  }, []);

  return { data, error, markRead, markAllRead };
}
