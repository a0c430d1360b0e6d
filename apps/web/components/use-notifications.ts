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

/** Fired when anything may have changed the user's notifications, so every list on the page reloads at once. */
export const NOTIFICATIONS_CHANGED = "sorami:notifications-changed";

export function announceNotificationsChanged(): void {
  window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));
}

export function useNotifications(pollMs = 10_000) {
  const [data, setData] = useState<NotificationList | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let controller: AbortController | null = null;
    const load = async () => {
      controller?.abort();
      const current = new AbortController();
      controller = current;
      try {
        const next = await listNotifications(current.signal);
        if (!current.signal.aborted) {
          setData(next);
          setError(null);
        }
      } catch (e) {
        if (!isAbortError(e)) setError(e instanceof ApiError ? e.message : "Could not load notifications.");
      }
    };
    // A hidden tab does not need fresh counts; it catches up when shown again.
    const poll = () => {
      if (document.visibilityState === "visible") void load();
    };
    void load();
    const timer = window.setInterval(poll, pollMs);
    window.addEventListener(NOTIFICATIONS_CHANGED, load);
    document.addEventListener("visibilitychange", poll);
    return () => {
      controller?.abort();
      window.clearInterval(timer);
      window.removeEventListener(NOTIFICATIONS_CHANGED, load);
      document.removeEventListener("visibilitychange", poll);
    };
  }, [pollMs]);

  const markRead = useCallback(async (id: string) => {
    const now = new Date().toISOString();
    setData((d) => {
      if (!d) return d;
      const target = d.notifications.find((n) => n.id === id);
      if (!target || target.read_at) return d;
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
    announceNotificationsChanged();
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
    announceNotificationsChanged();
  }, []);

  return { data, error, markRead, markAllRead };
}
