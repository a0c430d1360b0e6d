"use client";

import { secondaryButtonClass } from "./form-controls";
import { NotificationList } from "./notification-list";
import { useNotifications } from "./use-notifications";

export function NotificationsView() {
  const { data, error, markRead, markAllRead } = useNotifications();
  const unread = data?.unread_count ?? 0;
  return (
    <>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Notifications</h1>
        <button
          type="button"
          onClick={() => void markAllRead()}
          disabled={unread === 0}
          className={secondaryButtonClass}
        >
          Mark all read
        </button>
      </div>
      <p className="mt-1 text-sm text-gray-600" aria-live="polite">
        {data ? `${unread} unread` : "\u00a0"}
      </p>
      {error ? (
        <p role="alert" className="mt-4 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <div className="mt-6 overflow-hidden rounded-lg border border-gray-200 bg-white">
        {data ? (
          <NotificationList notifications={data.notifications} onMarkRead={(id) => void markRead(id)} />
        ) : (
          <p className="px-4 py-6 text-center text-sm text-gray-600">Loading…</p>
        )}
      </div>
    </>
  );
}
