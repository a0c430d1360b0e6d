import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell";
import { NotificationsView } from "@/components/notifications-view";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Notifications" };

export default async function Page() {
  const user = await getSessionUser(await headers());
  if (!user) redirect("/sign-in");
  return (
    <AppShell user={user}>
      <NotificationsView />
    </AppShell>
  );
}
