import type { Metadata } from "next";
import { GalleryList } from "@/components/gallery-list";
import { parseKind } from "@/components/media-kinds";
import { SignedInPage } from "@/components/signed-in-page";

export const metadata: Metadata = { title: "Gallery" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const kind = parseKind((await searchParams).kind);
  return (
    <SignedInPage title="Gallery">
      <GalleryList key={kind} kind={kind} />
    </SignedInPage>
  );
}
