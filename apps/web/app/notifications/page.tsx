import type { Metadata } from "next";
import { NotificationsView } from "@/components/notifications-view";
import { SignedInPage } from "@/components/signed-in-page";

export const metadata: Metadata = { title: "Notifications" };

export default function Page() {
  return (
    <SignedInPage>
      <NotificationsView />
    </SignedInPage>
  );
}
