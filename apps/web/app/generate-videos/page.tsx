import type { Metadata } from "next";
import { GenerateMedia } from "@/components/generate-media";
import { SignedInPage } from "@/components/signed-in-page";

export const metadata: Metadata = { title: "Generate videos" };

export default function Page() {
  return (
    <SignedInPage title="Generate videos">
      <GenerateMedia kind="video" />
    </SignedInPage>
  );
}
