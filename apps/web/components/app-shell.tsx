import Link from "next/link";
import type { ReactNode } from "react";
import { LiveEventsProvider } from "./live-events";
import { MainNav } from "./main-nav";
import { NotificationBell } from "./notification-bell";
import { SignOutButton } from "./sign-out-button";

/**
 * Header and main area of every signed-in page, inside the tab's one live
 * event stream. A server component: it only arranges client pieces.
 */
export function AppShell({
  user,
  children,
}: {
  user: { name: string; email: string; role?: string };
  children: ReactNode;
}) {
  return (
    <LiveEventsProvider>
      <header className="border-b border-gray-200 bg-white/95 backdrop-blur sm:sticky sm:top-0 sm:z-30">
        {/* relative: the notification panel spans this bar on narrow screens */}
        <div className="relative mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2">
          <Link href="/generate-images" className="mr-2 text-lg font-semibold tracking-tight text-indigo-700">
            Sorami
          </Link>
          <div className="order-last basis-full sm:order-none sm:basis-auto">
            <MainNav admin={user.role === "admin"} />
          </div>
          <div className="ml-auto flex items-center gap-2">
            <NotificationBell />
            <span className="hidden max-w-40 truncate text-sm text-gray-600 md:inline" title={user.email}>
              {user.name || user.email}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-8">
        {children}
      </main>
    </LiveEventsProvider>
  );
}
