"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { NotificationList } from "./notification-list";
import { useNotifications } from "./use-notifications";

/** How many notifications the dropdown shows; the full list lives at /notifications. */
const PANEL_LIMIT = 8;

function BellIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth={1.8}>
      <path
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M14.857 17.082a23.848 23.848 0 0 0 5.454-1.31A8.967 8.967 0 0 1 18 9.75V9A6 6 0 0 0 6 9v.75a8.967 8.967 0 0 1-2.312 6.022c1.733.64 3.56 1.085 5.455 1.31m5.714 0a24.255 24.255 0 0 1-5.714 0m5.714 0a3 3 0 1 1-5.714 0"
      />
    </svg>
  );
}

export function NotificationBell() {
  const { data, error, markRead, markAllRead } = useNotifications();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const unread = data?.unread_count ?? 0;

  useEffect(() => {
    if (!open) {
      return;
    }
    const onPointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [open]);

  const label = unread > 0 ? `Notifications, ${unread} unread` : "Notifications";

  return (
    <div ref={rootRef} className="sm:relative">
      <button
        ref={buttonRef}
        type="button"
        data-testid="notification-bell"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="relative inline-flex size-9 items-center justify-center rounded-full text-gray-700 hover:bg-gray-100"
      >
        <BellIcon />
        {unread > 0 ? (
          <span
            data-testid="notification-count"
            aria-hidden="true"
            className="absolute -top-0.5 -right-0.5 min-w-5 rounded-full bg-red-600 px-1 text-center text-[11px] leading-5 font-semibold text-white"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      <section
        id={panelId}
        hidden={!open}
        aria-label="Notifications"
        className="absolute inset-x-2 top-full z-40 mt-1 overflow-hidden rounded-lg border border-gray-200 bg-white shadow-lg sm:inset-x-auto sm:right-0 sm:mt-2 sm:w-80"
      >
        <div className="flex items-center justify-between gap-2 border-b border-gray-100 px-4 py-2">
          <h2 className="text-sm font-semibold">Notifications</h2>
          <button
            type="button"
            onClick={() => void markAllRead()}
            disabled={unread === 0}
            className="text-xs font-medium text-indigo-700 hover:underline disabled:text-gray-400 disabled:no-underline"
          >
            Mark all read
          </button>
        </div>
        {error ? (
          <p role="alert" className="px-4 py-2 text-xs text-red-700">
            {error}
          </p>
        ) : null}
        <div className="max-h-96 overflow-y-auto">
          {data ? (
            <NotificationList
              notifications={data.notifications.slice(0, PANEL_LIMIT)}
              onMarkRead={(id) => void markRead(id)}
              onNavigate={() => setOpen(false)}
            />
          ) : (
            <p className="px-4 py-6 text-center text-sm text-gray-600">Loading…</p>
          )}
        </div>
        <div className="border-t border-gray-100 px-4 py-2 text-right">
          <Link
            href="/notifications"
            onClick={() => setOpen(false)}
            className="text-xs font-medium text-indigo-700 hover:underline"
          >
            See all notifications
          </Link>
        </div>
      </section>
    </div>
  );
}
