import type { Metadata } from "next";
import { GenerateMedia } from "@/components/generate-media";
import { SignedInPage } from "@/components/signed-in-page";
import { followedJobId, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Generate videos" };

export default async function Page({ searchParams }: { searchParams: SearchParams }) {
  return (
    <SignedInPage title="Generate videos">
      <GenerateMedia kind="video" followJobId={await followedJobId(searchParams)} />
    </SignedInPage>
  );
}
