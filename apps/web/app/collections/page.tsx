import type { Metadata } from "next";
import { CollectionsView } from "@/components/collections-view";
import { SignedInPage } from "@/components/signed-in-page";

export const metadata: Metadata = { title: "Collections" };

export default function Page() {
  return (
    <SignedInPage title="Collections">
      <CollectionsView />
    </SignedInPage>
  );
}
