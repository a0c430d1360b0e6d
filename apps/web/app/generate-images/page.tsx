import type { Metadata } from "next";
import { GenerateMedia } from "@/components/generate-media";
import { SignedInPage } from "@/components/signed-in-page";

export const metadata: Metadata = { title: "Generate images" };

export default function Page() {
  return (
    <SignedInPage title="Generate images">
      <GenerateMedia kind="image" />
    </SignedInPage>
  );
}
