"use client";

import type { Notification } from "@sorami/contracts";
import Link from "next/link";
import { formatDateTime } from "./labels";

function jobIdOf(n: Notification): string | null {
  const id = n.metadata?.job_id;
  return typeof id === "string" ? id : null;
}

export function NotificationList(props: {
  notifications: readonly Notification[];
  onMarkRead: (id: string) => void;
  onNavigate?: () => void;
}) {
  if (props.notifications.length === 0) {
    return <p className="px-4 py-6 text-center text-sm text-gray-600">No notifications yet.</p>;
  }
  return (
    <ul className="divide-y divide-gray-100">
      {props.notifications.map((n) => {
        const unread = !n.read_at;
        const jobId = jobIdOf(n);
        return (
          <li key={n.id} className={`flex gap-3 px-4 py-3 ${unread ? "bg-indigo-50/60" : ""}`}>
            <span
              aria-hidden="true"
              className={`mt-1.5 size-2 shrink-0 rounded-full ${unread ? "bg-indigo-600" : "bg-transparent"}`}
            />
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-gray-900">
                {unread ? <span className="sr-only">Unread: </span> : null}
                {n.title}
              </p>
              <p className="mt-0.5 text-sm break-words text-gray-700">{n.message}</p>
              <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-gray-500">
                <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
                {jobId ? (
                  <Link
                    href={`/gallery/${encodeURIComponent(jobId)}`}
                    data-testid="notification-link"
                    onClick={() => {
                      // Opening a notification's job is reading it.
                      if (unread) {
                        props.onMarkRead(n.id);
                      }
                      props.onNavigate?.();
                    }}
                    className="text-indigo-700 hover:underline"
                  >
                    View {n.metadata?.kind === "video" ? "video" : "images"}
                  </Link>
                ) : null}
                {unread ? (
                  <button
                    type="button"
                    onClick={() => props.onMarkRead(n.id)}
                    className="text-indigo-700 hover:underline"
                  >
                    Mark read<span className="sr-only">: {n.title}</span>
                  </button>
                ) : null}
              </p>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
